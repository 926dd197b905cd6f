"""Contacts (対応記録): starting, ending, recording, correcting and deleting.

Every function checks the actor's scope, validates against the policy pack,
runs in one transaction and leaves an audit entry; edits keep a revision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require_handler
from accounts.selectors import department_visible_ids, staff_is_selectable
from audit.services import audit_record
from mamoru.lib.japanese import normalize
from mamoru.policy.loader import current as current_policy

from .choices import DefinitionAnswer, HarassmentJudgement
from .models import Contact, ContactCategory, ContactRevision

TEXT_FIELDS = ("summary", "request_content", "words_and_behaviour", "staff_response", "outcome")
REASON_FIELDS = ("content_reason", "manner_reason", "harm_reason")
SHORT_LIMITS = {"summary": 200, "place": 100, "resident_description": 200}


@dataclass
class ContactData:
    """What a user records about a contact. Views, the API and the demo
    generator all fill this and pass it to ``contact_create``/``contact_update``."""

    department: object
    channel: str
    staff: object
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    other_staff: list = field(default_factory=list)
    resident: object = None
    resident_description: str = ""
    place: str = ""
    summary: str = ""
    request_content: str = ""
    words_and_behaviour: str = ""
    staff_response: str = ""
    outcome: str = ""
    harassment: str = HarassmentJudgement.NO
    categories: list[str] = field(default_factory=list)
    content_unreasonable: str = ""
    content_reason: str = ""
    manner_inappropriate: str = ""
    manner_reason: str = ""
    harms: list[str] = field(default_factory=list)
    harm_reason: str = ""
    restriction_exception_reason: str = ""

    @classmethod
    def from_contact(cls, contact: Contact) -> ContactData:
        return cls(
            department=contact.department,
            channel=contact.channel,
            staff=contact.staff,
            started_at=contact.started_at,
            ended_at=contact.ended_at,
            other_staff=list(contact.other_staff.all()),
            resident=contact.resident,
            categories=sorted(c.code for c in contact.categories.all()),
            harms=list(contact.harms),
            **{
                name: getattr(contact, name)
                for name in (
                    *TEXT_FIELDS,
                    *REASON_FIELDS,
                    "resident_description",
                    "place",
                    "harassment",
                    "content_unreasonable",
                    "manner_inappropriate",
                    "restriction_exception_reason",
                )
            },
        )


class ContactVersionConflict(ValidationError):
    """Someone saved the contact after the user began editing it (the API answers 409)."""


def contact_require_visible(*, actor, contact: Contact) -> None:
    require_handler(actor)
    if contact.department_id not in department_visible_ids(user=actor) or contact.deleted_at is not None:
        raise PermissionDenied(_("この対応記録を扱う権限がありません。"))


def validate_contact_data(*, actor, data: ContactData) -> None:
    """Raise ValidationError (field → Japanese message) for anything the
    policy pack, the actor's scope or common sense does not allow."""
    pack = current_policy()
    errors: dict[str, str] = {}
    visible = department_visible_ids(user=actor)
    if data.department is None or data.department.pk not in visible:
        errors["department"] = _("担当課は、あなたが記録できる課から選んでください。")
    if data.channel not in {code for code, _ in pack.channel_choices()}:
        errors["channel"] = _("対応方法「{channel}」はポリシーパックにありません。").format(channel=data.channel)
    if data.staff is None or not staff_is_selectable(user=actor, staff=data.staff):
        errors["staff"] = _("対応職員は、あなたが記録できる課の職員から選んでください。")
    if not all(staff_is_selectable(user=actor, staff=user) for user in data.other_staff):
        errors["other_staff"] = _("同席職員に選べない職員が含まれています。")
    if data.started_at is None:
        errors["started_at"] = _("開始日時を入力してください。")
    elif data.started_at > timezone.now() + dt.timedelta(minutes=5):
        errors["started_at"] = _("開始日時が未来になっています。")
    if data.started_at and data.ended_at and data.ended_at < data.started_at:
        errors["ended_at"] = _("終了日時が開始日時より前になっています。")
    limit = settings.MAMORU_TEXT_LIMIT
    for name in (*TEXT_FIELDS, *REASON_FIELDS, *SHORT_LIMITS):
        length, max_length = len(getattr(data, name) or ""), SHORT_LIMITS.get(name, limit)
        if length > max_length:
            errors[name] = _("{max_length}文字以内で入力してください（現在{length}文字）。").format(
                max_length=max_length, length=length
            )
    if data.harassment not in HarassmentJudgement.values:
        errors["harassment"] = _("カスタマーハラスメントの判断を選んでください。")
    unknown = sorted(set(data.categories) - set(pack.category_codes()))
    if unknown:
        errors["categories"] = _("ポリシーパックにない類型コードです: {value}").format(value=", ".join(unknown))
    elif data.harassment == HarassmentJudgement.YES and not data.categories:
        errors["categories"] = _("カスタマーハラスメントに該当する場合は、類型を1つ以上選んでください。")
    for name in ("content_unreasonable", "manner_inappropriate"):
        if getattr(data, name) not in ("", *DefinitionAnswer.values):
            errors[name] = _("はい・いいえ・わからない のいずれかを選んでください。")
    unknown_harms = sorted(set(data.harms) - {code for code, _ in pack.harm_choices()})
    if unknown_harms:
        errors["harms"] = _("ポリシーパックにない被害の区分です: {value}").format(value=", ".join(unknown_harms))
    if errors:
        raise ValidationError(errors)


def _require_restriction_reason(data: ContactData) -> None:
    """A contact outside the resident's active response restriction (対応制限)
    needs a reason before it is saved."""
    from measures.services import restriction_require_reason  # measures builds on records, not the reverse

    restriction_require_reason(data=data)


def _search_text(contact: Contact) -> str:
    parts = [getattr(contact, name) for name in (*TEXT_FIELDS, "resident_description", "place")]
    return normalize(" ".join(part for part in parts if part))


def _duration(started_at, ended_at) -> int | None:
    return int((ended_at - started_at).total_seconds()) if ended_at else None


def contact_snapshot(contact: Contact, data: ContactData | None = None) -> dict:
    """A readable copy of a contact for its revisions and the audit log.

    With ``data`` (what was just saved), the staff present and the categories
    come from it instead of being read back from the database."""
    pack = current_policy()
    other_staff = data.other_staff if data is not None else contact.other_staff.all()
    codes = data.categories if data is not None else [c.code for c in contact.categories.all()]
    names = pack.category_names()
    harms = dict(pack.harm_choices())
    return {
        "department": contact.department.name,
        "channel": pack.channel_name(contact.channel),
        "place": contact.place,
        "staff": contact.staff.display_name,
        "other_staff": "、".join(u.display_name for u in other_staff),
        "resident": str(contact.resident) if contact.resident else "",
        "resident_description": contact.resident_description,
        "started_at": timezone.localtime(contact.started_at).strftime("%Y-%m-%d %H:%M"),
        "ended_at": timezone.localtime(contact.ended_at).strftime("%Y-%m-%d %H:%M") if contact.ended_at else "",
        **{name: getattr(contact, name) for name in (*TEXT_FIELDS, *REASON_FIELDS)},
        "harassment": contact.get_harassment_display(),
        "categories": "、".join(names.get(code, code) for code in sorted(set(codes))),
        "content_unreasonable": contact.get_content_unreasonable_display(),
        "manner_inappropriate": contact.get_manner_inappropriate_display(),
        "harms": "、".join(harms.get(code, code) for code in contact.harms),
        "restriction_exception_reason": contact.restriction_exception_reason,
    }


def _apply(contact: Contact, data: ContactData) -> None:
    contact.department = data.department
    contact.channel = data.channel
    contact.staff = data.staff
    contact.resident = data.resident
    contact.started_at = data.started_at
    contact.ended_at = data.ended_at
    contact.duration_seconds = _duration(data.started_at, data.ended_at)
    for name in (*TEXT_FIELDS, *REASON_FIELDS, "resident_description", "place", "harassment"):
        setattr(contact, name, getattr(data, name) or "")
    contact.content_unreasonable = data.content_unreasonable
    contact.manner_inappropriate = data.manner_inappropriate
    contact.harms = sorted(set(data.harms))
    contact.restriction_exception_reason = (data.restriction_exception_reason or "").strip()
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


# What the repetition rules count: an edit of only the texts leaves them as they were.
COUNTED_FIELDS = {"department", "channel", "resident", "started_at", "ended_at"}


def _revise(contact: Contact, actor, previous: dict | None, data: ContactData | None = None) -> dict:
    snapshot = contact_snapshot(contact, data)
    changed = sorted(k for k in snapshot if previous is None or previous.get(k) != snapshot[k])
    ContactRevision.objects.create(
        contact=contact, version=contact.version, changed_by=actor, changed_fields=changed, snapshot=snapshot
    )
    if previous is None or COUNTED_FIELDS & set(changed):
        _recount_repetition(contact.resident_id)
    return snapshot


def _recount_repetition(resident_id: int | None) -> None:
    """Count the pack's 繰り返し rules for the resident after commit."""
    from repetition.services import repetition_evaluate_later  # repetition builds on records, not the reverse

    repetition_evaluate_later(resident_id=resident_id)


def _open_case_if_harassment(*, actor, contact: Contact) -> None:
    """A contact judged harassment opens an incident case (or joins the
    resident's open one), in the same transaction. Idempotent per contact."""
    if contact.harassment == HarassmentJudgement.YES:
        from cases.services import case_open_or_join  # cases builds on records, not the reverse

        case_open_or_join(actor=actor, contact=contact, reason="harassment")


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
        place=place or actor.workplace,
    )
    validate_contact_data(actor=actor, data=data)
    contact = contact_build(actor=actor, data=data)
    contact.save()
    _save_relations(contact, data, created=True)
    snapshot = _revise(contact, actor, None, data)
    audit_record(actor=actor, action="records.contact.started", obj=contact, after=snapshot)
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
    snapshot = _revise(contact, actor, previous)
    audit_record(
        actor=actor,
        action="records.contact.ended",
        obj=contact,
        before={"ended_at": previous["ended_at"]},
        after={"ended_at": snapshot["ended_at"], "duration_seconds": contact.duration_seconds},
    )
    return contact


@transaction.atomic
def contact_create(*, actor, data: ContactData) -> Contact:
    """Record a contact after the fact (a letter, a mail, a call logged later)."""
    require_handler(actor)
    validate_contact_data(actor=actor, data=data)
    _require_restriction_reason(data)
    contact = contact_build(actor=actor, data=data)
    contact.save()
    _save_relations(contact, data, created=True)
    snapshot = _revise(contact, actor, None, data)
    audit_record(actor=actor, action="records.contact.created", obj=contact, after=snapshot)
    _open_case_if_harassment(actor=actor, contact=contact)
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
    _require_restriction_reason(data)
    previous = contact_snapshot(contact)
    previous_resident_id = contact.resident_id
    _apply(contact, data)
    contact.version += 1
    contact.save()
    _save_relations(contact, data)
    snapshot = _revise(contact, actor, previous, data)
    if previous_resident_id != contact.resident_id:  # the contact left that resident's count
        _recount_repetition(previous_resident_id)
    changed = {k: snapshot[k] for k in snapshot if previous.get(k) != snapshot[k]}
    audit_record(
        actor=actor,
        action="records.contact.updated",
        obj=contact,
        before={k: previous.get(k) for k in changed},
        after=changed,
    )
    _open_case_if_harassment(actor=actor, contact=contact)
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
    _recount_repetition(contact.resident_id)  # a proposal resting on this contact is rechecked
    return contact


def contact_mark_viewed(*, actor, contact: Contact, printed: bool = False) -> None:
    action = "records.contact.printed" if printed else "records.contact.viewed"
    audit_record(actor=actor, action=action, obj=contact)
