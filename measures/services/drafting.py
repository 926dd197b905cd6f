"""Drafting and correcting a measure (起案・修正): its terms are checked
against the policy pack and saved with the linked contacts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as base_permissions
from audit.services import audit_record
from mamoru.lib.text import clean_text
from mamoru.policy.loader import current as current_policy
from measures import permissions
from measures.choices import MeasureEventKind
from measures.models import Measure
from measures.selectors import measure_facts_draft
from measures.terms import MeasureTerms
from records.rules import earliest_record_date

from ._common import TEXT_LIMIT, event, locked


def measure_snapshot(measure: Measure) -> dict:
    """A readable copy of a measure for the audit log."""
    return {
        "resident": str(measure.resident),
        "measure": measure.title,
        "status": measure.get_status_display(),
        "reasons": measure.reasons,
        "facts": measure.letter_facts,
        "requests": measure.letter_requests,
        "contacts": [c.pk for c in measure.contacts.all()],
        "lead_department": measure.lead_department.name,
        "conditions": measure.conditions_text(),
        "starts_on": measure.starts_on.isoformat() if measure.starts_on else "",
        "ends_on": measure.ends_on.isoformat() if measure.ends_on else "",
        "review_on": measure.review_on.isoformat() if measure.review_on else "",
    }


def _text_errors(errors: dict, name: str, value: str, *, required: str | None = None) -> None:
    if required and not (value or "").strip():
        errors[name] = required
    elif len(value or "") > TEXT_LIMIT:
        errors[name] = _("{limit}文字以内で入力してください。").format(limit=TEXT_LIMIT)


# A measure runs for years at most: a day outside these is a typing mistake (0001/1/1, 9999/12/31).
MEASURE_YEARS_AHEAD = 10


def _date_range_error(day, label: str) -> str | None:
    earliest = earliest_record_date()
    latest = timezone.localdate().replace(month=12, day=31)
    latest = latest.replace(year=latest.year + MEASURE_YEARS_AHEAD)
    if earliest <= day <= latest:
        return None
    return _("{label}は{earliest}から{latest}までの日付を入力してください。").format(
        label=label,
        earliest=f"{earliest.year}年{earliest.month}月{earliest.day}日",
        latest=f"{latest.year}年{latest.month}月{latest.day}日",
    )


def _validate(*, resident, kind: str, terms: MeasureTerms):
    """Raise ValidationError (field → Japanese message); return the pack's measure."""
    pack = current_policy()
    errors: dict[str, str] = {}
    rung = pack.measure(kind)
    conditions = terms.conditions
    if rung is None:
        errors["kind"] = _("措置「{kind}」はポリシーパックにありません。").format(kind=kind)
    if getattr(resident, "merged_into_id", None) is not None:
        errors["resident"] = _("この住民等は他の住民等に統合されています。統合先の住民等で起案してください。")
    _text_errors(errors, "reasons", terms.reasons, required=_("措置の理由を入力してください。"))
    if rung is not None and rung.letter and not rung.restricts:
        _text_errors(
            errors,
            "requests",
            terms.requests,
            required=_("「今後守っていただく事項」を入力してください（{letter}に記載します）。").format(
                letter=rung.letter
            ),
        )
    else:
        _text_errors(errors, "requests", terms.requests)
    _text_errors(errors, "facts", terms.facts)
    contacts = terms.contacts
    if not contacts:
        errors["contacts"] = _("理由となる対応記録を1件以上選んでください。")
    elif any(c.resident_id != resident.pk or c.deleted_at is not None for c in contacts):
        errors["contacts"] = _("理由となる対応記録は、この住民等の記録から選んでください。")
    if terms.lead_department is None:
        errors["lead_department"] = _("主管課を選んでください。")
    starts_on, ends_on, review_on = terms.starts_on, terms.ends_on, terms.review_on
    for name, label, day in (
        ("starts_on", _("開始日"), starts_on),
        ("ends_on", _("終了日"), ends_on),
        ("review_on", _("見直し日"), review_on),
    ):
        if day is not None and (message := _date_range_error(day, label)):
            errors[name] = message
    if starts_on is None:
        errors["starts_on"] = _("開始日を入力してください。")
    elif not errors.keys() & {"starts_on", "ends_on", "review_on"}:
        if ends_on is not None and ends_on < starts_on:
            errors["ends_on"] = _("終了日は開始日より後にしてください。")
        if review_on is not None and review_on < starts_on:
            errors["review_on"] = _("見直し日は開始日以降にしてください。")
        if review_on is not None and ends_on is not None and review_on > ends_on:
            errors["review_on"] = _("見直し日は終了日までの日にしてください。")
    if terms.reminder_days_before_review is None or terms.reminder_days_before_review < 0:
        errors["reminder_days_before_review"] = _("見直しの通知は0日以上前にしてください。")
    if rung is not None and not rung.restricts and not conditions.is_empty():
        errors["conditions"] = _("「{name}」には対応制限の条件を付けられません。").format(name=rung.name)
    limit = pack.response_time.limit_minutes
    if conditions.max_minutes is not None and not 0 < conditions.max_minutes < limit:
        errors["max_minutes"] = _("1回の対応時間の上限は、1分以上、基本方針の{limit}分より短くしてください。").format(
            limit=limit
        )
    channel_codes = {code for code, _name in pack.channel_choices()}
    if conditions.written_only and not conditions.written_channels:
        errors["written_channels"] = _("書面に限る場合は、書面として認める対応方法を選んでください。")
    elif set(conditions.written_channels) - channel_codes:
        errors["written_channels"] = _("ポリシーパックにない対応方法が含まれています。")
    if any(day not in range(7) for day in conditions.allowed_weekdays):
        errors["allowed_weekdays"] = _("曜日の指定が正しくありません。")
    if bool(conditions.allowed_from) != bool(conditions.allowed_until):
        errors["allowed_until"] = _("対応時間帯は開始と終了の両方を入力してください。")
    elif conditions.allowed_from and conditions.allowed_until <= conditions.allowed_from:
        errors["allowed_until"] = _("対応時間帯の終了は開始より後にしてください。")
    if not all(base_permissions.handles_contacts(user) for user in conditions.designated_staff):
        errors["designated_staff"] = _("指定職員には、対応記録を扱う職員を選んでください。")
    if errors:
        raise ValidationError(errors)
    return rung


def _clean_lines(text: str) -> str:
    lines = (line.strip() for line in clean_text(text).split("\n"))
    return "\n".join(line for line in lines if line)


def _write(measure: Measure, terms: MeasureTerms) -> None:
    """Validate the terms of a draft and save them on ``measure`` with its
    linked contacts and designated staff (draft and correction alike). A
    measure with a letter whose facts were left empty gets them written from
    the linked contacts, for the drafter to review before submitting."""
    terms.contacts = list(terms.contacts)
    rung = _validate(resident=measure.resident, kind=measure.kind, terms=terms)
    conditions = terms.conditions
    measure.title = measure.title or rung.name
    measure.reasons = clean_text(terms.reasons).strip()
    facts = _clean_lines(terms.facts)
    if not facts and rung.letter:
        facts = measure_facts_draft(contacts=terms.contacts)
    measure.letter_facts = facts
    measure.letter_requests = _clean_lines(terms.requests)
    measure.lead_department = terms.lead_department
    measure.written_only = conditions.written_only
    measure.written_channels = list(conditions.written_channels) if conditions.written_only else []
    measure.max_minutes = conditions.max_minutes
    measure.allowed_weekdays = sorted(set(conditions.allowed_weekdays))
    measure.allowed_from = conditions.allowed_from
    measure.allowed_until = conditions.allowed_until
    measure.counter_department = conditions.counter_department
    measure.starts_on = terms.starts_on
    measure.ends_on = terms.ends_on
    measure.review_on = terms.review_on
    measure.reminder_days_before_review = terms.reminder_days_before_review
    measure.save()
    measure.contacts.set(terms.contacts)
    measure.designated_staff.set(conditions.designated_staff)


@transaction.atomic
def measure_draft(*, actor, resident, kind: str, terms: MeasureTerms) -> Measure:
    """Draft a measure (起案). The specialist section only."""
    permissions.require_drafter(actor)
    measure = Measure(resident=resident, kind=kind, drafted_by=actor)
    _write(measure, terms)
    event(measure, MeasureEventKind.DRAFTED, actor)
    audit_record(actor=actor, action="measures.measure.drafted", obj=measure, after=measure_snapshot(measure))
    return measure


@transaction.atomic
def measure_update(*, actor, measure: Measure, terms: MeasureTerms) -> Measure:
    """Correct a draft or a measure sent back. Nothing else can be edited."""
    permissions.require_drafter(actor)
    measure = locked(measure)
    if not measure.is_editable:
        raise ValidationError(_("起案中または差戻しの措置のみ修正できます。"))
    before = measure_snapshot(measure)
    _write(measure, terms)
    after = measure_snapshot(measure)
    event(measure, MeasureEventKind.UPDATED, actor)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    audit_record(
        actor=actor,
        action="measures.measure.updated",
        obj=measure,
        before={k: before.get(k) for k in changed},
        after=changed,
    )
    return measure
