"""Contacts (対応記録): starting, ending, recording, correcting and deleting.

Every function checks the actor's scope, validates against the policy pack,
runs in one transaction and leaves an audit entry; edits keep a revision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import make_dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require_handler
from accounts.selectors import department_visible_ids, staff_is_selectable
from audit.services import audit_record
from mamoru.lib.dates import safe_localtime
from mamoru.lib.japanese import normalize
from mamoru.lib.text import clean_text
from mamoru.policy.loader import current as current_policy

from .choices import HarassmentJudgement
from .fields import (
    CHOICE,
    CODES,
    CONTACT_FIELDS,
    MOMENT,
    REASON,
    RELATION,
    SHORT_TEXT,
    STAFF_LIST,
    TEXT,
    ContactField,
    dataclass_fields,
    fields_of,
    names_of,
)
from .hooks import contact_saved, contact_validating
from .models import Contact, ContactCategory, ContactRevision
from .permissions import may_decide_judgement
from .rules import contact_rule_errors

# The free texts searched (``search_text``), the definition check's reasons.
TEXT_FIELDS = ("summary", *names_of(TEXT))
REASON_FIELDS = tuple(spec.name for spec in fields_of(REASON) if spec.reason_for)
_SEARCHED_FIELDS = (*TEXT_FIELDS, *(name for name in names_of(SHORT_TEXT) if name not in TEXT_FIELDS))


def _stored_as_rows(name: str) -> bool:
    """A list field kept in rows of its own (categories), not on the contact."""
    return Contact._meta.get_field(name).one_to_many


def _values_of(contact: Contact) -> dict:
    """A stored contact's recorded fields, as ``ContactData`` holds them."""
    values = {}
    for spec in CONTACT_FIELDS:
        value = getattr(contact, spec.name)
        if spec.kind == STAFF_LIST:
            value = list(value.all())
        elif spec.kind == CODES:
            value = sorted(row.code for row in value.all()) if _stored_as_rows(spec.name) else list(value)
        values[spec.name] = value
    return values


def _from_contact(cls, contact: Contact):
    return cls(**_values_of(contact))


ContactData = make_dataclass(
    "ContactData",
    dataclass_fields(),
    kw_only=True,
    namespace={"from_contact": classmethod(_from_contact)},
)
ContactData.__module__ = __name__
ContactData.__doc__ = """What a user records about a contact, one attribute per field of
``records.fields.CONTACT_FIELDS``. Views, the API, the import and the demo
generator all fill this and pass it to ``contact_create``/``contact_update``;
``ContactData.from_contact(contact)`` reads a stored one."""


class ContactVersionConflict(ValidationError):
    """Someone saved the contact after the user began editing it (the API answers 409)."""


def contact_require_visible(*, actor, contact: Contact) -> None:
    require_handler(actor)
    if contact.department_id not in department_visible_ids(user=actor) or contact.deleted_at is not None:
        raise PermissionDenied(_("この対応記録を扱う権限がありません。"))


def validate_contact_data(*, actor, data: ContactData) -> None:
    """Raise ValidationError (field → Japanese message) for anything the
    policy pack, the actor's scope or the rules of the record
    (``records.rules``: lengths, times, the definition check) do not allow."""
    errors: dict[str, str] = {}
    visible = department_visible_ids(user=actor)
    if data.department is None or data.department.pk not in visible:
        errors["department"] = _("担当課は、あなたが記録できる課から選んでください。")
    if data.staff is None or not staff_is_selectable(user=actor, staff=data.staff):
        errors["staff"] = _("対応職員は、あなたが記録できる課の職員から選んでください。")
    if not all(staff_is_selectable(user=actor, staff=user) for user in data.other_staff):
        errors["other_staff"] = _("同席職員に選べない職員が含まれています。")
    errors.update(contact_rule_errors(data, pack=current_policy()))
    if errors:
        raise ValidationError(errors)


def _search_text(contact: Contact) -> str:
    parts = [getattr(contact, name) for name in _SEARCHED_FIELDS]
    return normalize(" ".join(part for part in parts if part))


def _duration(started_at, ended_at) -> int | None:
    return int((ended_at - started_at).total_seconds()) if ended_at else None


def _snapshot_value(spec: ContactField, contact: Contact, data: ContactData | None, pack) -> str:
    """A field's value as a revision shows it: names, not codes or ids."""
    if spec.kind == RELATION:
        value = getattr(contact, spec.name)
        return str(value) if value else ""
    if spec.kind == STAFF_LIST:
        users = getattr(data, spec.name) if data is not None else getattr(contact, spec.name).all()
        return "、".join(user.display_name for user in users)
    if spec.kind == MOMENT:
        value = getattr(contact, spec.name)
        return safe_localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
    if spec.kind == CHOICE:
        value = getattr(contact, spec.name)
        return spec.choice_names(pack).get(value, value) if value else ""
    if spec.kind == CODES:
        if data is not None:
            codes = getattr(data, spec.name)
        elif _stored_as_rows(spec.name):
            codes = [row.code for row in getattr(contact, spec.name).all()]
        else:
            codes = getattr(contact, spec.name)
        names = spec.choice_names(pack)
        return "、".join(names.get(code, code) for code in sorted(set(codes)))
    return getattr(contact, spec.name)


def contact_snapshot(contact: Contact, data: ContactData | None = None) -> dict:
    """A readable copy of a contact for its revisions and the audit log: every
    recorded field (``records.fields``) by name.

    With ``data`` (what was just saved), the staff present and the categories
    come from it instead of being read back from the database."""
    pack = current_policy()
    return {spec.name: _snapshot_value(spec, contact, data, pack) for spec in CONTACT_FIELDS}


def _apply(contact: Contact, data: ContactData) -> None:
    """Copy ``data`` onto the contact; the relations kept in other tables are
    written by ``_save_relations``."""
    for spec in CONTACT_FIELDS:
        value = getattr(data, spec.name)
        if spec.kind in (RELATION, MOMENT):
            setattr(contact, spec.name, value)
        elif spec.kind == REASON:
            setattr(contact, spec.name, clean_text(value).strip())
        elif spec.is_text:  # control characters removed; long text keeps its line breaks and tabs
            setattr(contact, spec.name, clean_text(value, multiline=spec.kind != SHORT_TEXT))
        elif spec.kind == CHOICE:
            setattr(contact, spec.name, value or "")
        elif spec.kind == CODES and not _stored_as_rows(spec.name):
            setattr(contact, spec.name, sorted(set(value)))
    contact.duration_seconds = _duration(data.started_at, data.ended_at)
    contact.search_text = _search_text(contact)


def contact_build(*, actor, data: ContactData) -> Contact:
    """An unsaved contact with ``data`` applied and its derived fields (duration,
    search text) computed; neither validated nor saved. ``contact_start`` and
    ``contact_create`` build through it, and so does the demo generator's bulk load."""
    contact = Contact(created_by=actor)
    _apply(contact, data)
    return contact


def _save_relations(contact: Contact, data: ContactData, *, created: bool = False) -> None:
    if created:  # nothing to compare with: write the rows directly
        through = Contact.other_staff.through
        through.objects.bulk_create(through(contact=contact, user=user) for user in dict.fromkeys(data.other_staff))
        ContactCategory.objects.bulk_create(
            ContactCategory(contact=contact, code=code) for code in sorted(set(data.categories))
        )
        return
    contact.other_staff.set(data.other_staff)
    wanted = set(data.categories)
    existing = set(contact.categories.values_list("code", flat=True))
    contact.categories.filter(code__in=existing - wanted).delete()
    ContactCategory.objects.bulk_create(
        ContactCategory(contact=contact, code=code) for code in sorted(wanted - existing)
    )


def _revise(
    contact: Contact, actor, previous: dict | None, data: ContactData | None = None, *, note: str = ""
) -> tuple[dict, set]:
    """Write the contact's revision (with ``note``, the reason of a supervisor's decision); the snapshot and the
    keys that changed."""
    snapshot = contact_snapshot(contact, data)
    changed = sorted(k for k in snapshot if previous is None or previous.get(k) != snapshot[k])
    ContactRevision.objects.create(
        contact=contact, version=contact.version, changed_by=actor, changed_fields=changed, snapshot=snapshot, note=note
    )
    return snapshot, set(changed)


def _saved(*, actor, contact: Contact, created: bool, changed: set, previous_resident_id: int | None) -> None:
    """Let the apps built on records act on the save, in its transaction
    (repetition asks for a recount, cases opens a case: ``hooks.contact_saved``)."""
    contact_saved.send(
        actor=actor, contact=contact, created=created, changed=changed, previous_resident_id=previous_resident_id
    )


def default_place(channel: str, workplace: str) -> str:
    """Where a contact started now takes place, from the user's 窓口番号・内線:
    a counter contact at their counter, a phone call on their extension
    (「内線…」); anything else, or a counter number for a call, is left for
    the user to write."""
    workplace = (workplace or "").strip()
    is_extension = workplace.startswith("内線")
    if channel == "counter":
        return "" if is_extension else workplace
    if channel == "phone":
        return workplace if is_extension else ""
    return ""


@transaction.atomic
def contact_start(
    *,
    actor,
    channel: str,
    department=None,
    resident=None,
    other_staff: list = (),
    place: str = "",
) -> Contact:
    """Begin a live contact now (対応開始). The clock runs from the server's time."""
    require_handler(actor)
    data = ContactData(
        department=department or actor.department,
        channel=channel,
        staff=actor,
        started_at=timezone.now(),
        other_staff=list(other_staff),
        resident=resident,
        place=place or default_place(channel, actor.workplace),
    )
    validate_contact_data(actor=actor, data=data)
    contact = contact_build(actor=actor, data=data)
    contact.save()
    _save_relations(contact, data, created=True)
    snapshot, changed = _revise(contact, actor, None, data)
    audit_record(actor=actor, action="records.contact.started", obj=contact, after=snapshot)
    _saved(actor=actor, contact=contact, created=True, changed=changed, previous_resident_id=None)
    return contact


@transaction.atomic
def contact_end(*, actor, contact: Contact, ended_at: dt.datetime | None = None) -> Contact:
    """End a live contact (対応終了); the duration is computed from the times."""
    contact_require_visible(actor=actor, contact=contact)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.ended_at is not None:
        raise ValidationError(_("この対応は既に終了しています。"))
    ended_at = ended_at or timezone.now()
    if ended_at < contact.started_at:
        raise ValidationError({"ended_at": _("終了日時が開始日時より前になっています。")})
    previous = contact_snapshot(contact)
    contact.ended_at = ended_at
    contact.duration_seconds = _duration(contact.started_at, ended_at)
    contact.version += 1
    contact.save(update_fields=["ended_at", "duration_seconds", "version", "updated_at"])
    snapshot, changed = _revise(contact, actor, previous)
    audit_record(
        actor=actor,
        action="records.contact.ended",
        obj=contact,
        before={"ended_at": previous["ended_at"]},
        after={"ended_at": snapshot["ended_at"], "duration_seconds": contact.duration_seconds},
    )
    _saved(actor=actor, contact=contact, created=False, changed=changed, previous_resident_id=contact.resident_id)
    return contact


@transaction.atomic
def contact_create(*, actor, data: ContactData) -> Contact:
    """Record a contact after the fact (a letter, a mail, a call logged later)."""
    require_handler(actor)
    validate_contact_data(actor=actor, data=data)
    contact_validating.send(actor=actor, data=data, contact=None)
    contact = contact_build(actor=actor, data=data)
    contact.save()
    _save_relations(contact, data, created=True)
    snapshot, changed = _revise(contact, actor, None, data)
    audit_record(actor=actor, action="records.contact.created", obj=contact, after=snapshot)
    _saved(actor=actor, contact=contact, created=True, changed=changed, previous_resident_id=None)
    return contact


@transaction.atomic
def contact_update(*, actor, contact: Contact, data: ContactData, expected_version: int | None = None) -> Contact:
    """Save a correction. The previous version stays in the revisions.

    ``expected_version`` (the version the user's form was based on) refuses a
    save over someone else's newer edit instead of silently overwriting it."""
    contact_require_visible(actor=actor, contact=contact)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if expected_version is not None and contact.version != expected_version:
        raise ContactVersionConflict(
            _(
                _(
                    "この対応記録は、あなたが編集を始めた後に他の職員が更新しました。"
                    "最新の内容を確認してから、もう一度保存してください。"
                )
            )
        )
    validate_contact_data(actor=actor, data=data)
    contact_validating.send(actor=actor, data=data, contact=contact)
    previous = contact_snapshot(contact)
    previous_resident_id = contact.resident_id
    _apply(contact, data)
    contact.version += 1
    contact.save()
    _save_relations(contact, data)
    snapshot, changed = _revise(contact, actor, previous, data)
    audit_record(
        actor=actor,
        action="records.contact.updated",
        obj=contact,
        before={k: previous.get(k) for k in snapshot if k in changed},
        after={k: snapshot[k] for k in snapshot if k in changed},
    )
    _saved(actor=actor, contact=contact, created=False, changed=changed, previous_resident_id=previous_resident_id)
    return contact


@transaction.atomic
def contact_delete(*, actor, contact: Contact, reason: str) -> Contact:
    """Withdraw a record entered by mistake. It stays in the database with its
    revisions (public records), hidden from lists. Supervisors and above only."""
    contact_require_visible(actor=actor, contact=contact)
    if not actor.is_supervisor_or_above:
        raise PermissionDenied(_("対応記録を削除できるのは上司・管理職・専門部署のみです。"))
    if not reason.strip():
        raise ValidationError({"reason": _("削除の理由を入力してください。")})
    contact.deleted_at = timezone.now()
    contact.deleted_by = actor
    contact.deletion_reason = reason.strip()[:300]
    contact.save(update_fields=["deleted_at", "deleted_by", "deletion_reason", "updated_at"])
    audit_record(actor=actor, action="records.contact.deleted", obj=contact, after={"reason": contact.deletion_reason})
    # e.g. a 繰り返し proposal resting on this contact is rechecked
    _saved(actor=actor, contact=contact, created=False, changed={"deleted"}, previous_resident_id=contact.resident_id)
    return contact


JUDGEMENT_REASON_LIMIT = 2000


@transaction.atomic
def contact_judgement_decide(
    *, actor, contact: Contact, harassment: str, reason: str, categories: list[str] | tuple[str, ...] = ()
) -> Contact:
    """A supervisor's decision on a contact recorded as 判断に迷う（上司に相談）:
    該当する (with its categories) or 該当しない, with the reason, saved as a new
    version whose revision keeps the reason. Supervisors and above of the
    contact's department, or the specialist section."""
    contact_require_visible(actor=actor, contact=contact)
    if not may_decide_judgement(actor, contact):
        raise PermissionDenied(_("判断を記録できるのは、この課の上司・管理職または専門部署です。"))
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.harassment != HarassmentJudgement.UNSURE:
        raise ValidationError(
            _("この対応記録は判断待ちではありません（現在「{judgement}」）。").format(
                judgement=contact.get_harassment_display()
            )
        )
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if harassment not in (HarassmentJudgement.YES, HarassmentJudgement.NO):
        errors["harassment"] = _("「該当する」か「該当しない」を選んでください。")
    if not reason:
        errors["reason"] = _("判断の理由を入力してください。")
    elif len(reason) > JUDGEMENT_REASON_LIMIT:
        errors["reason"] = _("{max_length}文字以内で入力してください（現在{length}文字）。").format(
            max_length=JUDGEMENT_REASON_LIMIT, length=len(reason)
        )
    codes = sorted(set(categories)) if harassment == HarassmentJudgement.YES else []
    unknown = sorted(set(codes) - set(current_policy().category_codes()))
    if unknown:
        errors["categories"] = _("ポリシーパックにない類型コードです: {value}").format(value=", ".join(unknown))
    elif harassment == HarassmentJudgement.YES and not codes:
        errors["categories"] = _("カスタマーハラスメントに該当する場合は、類型を1つ以上選んでください。")
    if errors:
        raise ValidationError(errors)
    data = ContactData.from_contact(contact)
    data.harassment = harassment
    data.categories = codes  # 該当しない keeps no category (the previous ones stay in the revisions)
    previous = contact_snapshot(contact)
    contact.harassment = harassment
    contact.version += 1
    contact.save(update_fields=["harassment", "version", "updated_at"])
    _save_relations(contact, data)
    snapshot, changed = _revise(contact, actor, previous, data, note=reason)
    audit_record(
        actor=actor,
        action="records.contact.judgement_decided",
        obj=contact,
        before={"harassment": previous["harassment"], "categories": previous["categories"]},
        after={"harassment": snapshot["harassment"], "categories": snapshot["categories"], "reason": reason},
    )
    _saved(actor=actor, contact=contact, created=False, changed=changed, previous_resident_id=contact.resident_id)
    return contact


def contact_mark_viewed(*, actor, contact: Contact, printed: bool = False) -> None:
    action = "records.contact.printed" if printed else "records.contact.viewed"
    audit_record(actor=actor, action=action, obj=contact)
