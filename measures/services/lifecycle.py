"""After approval: issuing a measure (with its letter), withdrawing it,
objections (不服の申出) and the daily review reminders."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from mamoru.policy.loader import current as current_policy
from measures import permissions
from measures.choices import AppealOutcome, MeasureEventKind, MeasureStatus
from measures.models import Measure, MeasureAppeal
from measures.selectors import measure_letter_context, specialist_section_users

from ._common import TEXT_LIMIT, event, locked


@transaction.atomic
def measure_issue(*, actor, measure: Measure) -> Measure:
    """Issue an approved measure (発出); with the pack's letter, if it names one,
    issued and stored in the same transaction."""
    permissions.require_drafter(actor, _("措置を発出できるのは専門部署の職員のみです。"))
    measure = locked(measure)
    if measure.status != MeasureStatus.APPROVED:
        if measure.status in (MeasureStatus.ISSUED, MeasureStatus.WITHDRAWN, MeasureStatus.ENDED):
            raise ValidationError(_("この措置は既に発出または撤回されています。"))
        raise ValidationError(_("決裁が済んでいないため発出できません。"))
    rung = current_policy().measure(measure.kind)
    now = timezone.now()
    if rung is not None and rung.letter:
        from letters.services import letter_issue

        measure.letter = letter_issue(
            actor=actor,
            measure_code=measure.kind,
            context=measure_letter_context(measure=measure, issued_on=timezone.localdate(now)),
        )
    measure.status = MeasureStatus.ISSUED
    measure.issued_at = now
    measure.issued_by = actor
    measure.save(update_fields=["status", "issued_at", "issued_by", "letter", "updated_at"])
    note = measure.letter.document_number if measure.letter else ""
    event(measure, MeasureEventKind.ISSUED, actor, note=note, at=now)
    audit_record(
        actor=actor,
        action="measures.measure.issued",
        obj=measure,
        after={"status": measure.get_status_display(), "letter": note},
    )
    return measure


@transaction.atomic
def measure_withdraw(*, actor, measure: Measure, reason: str) -> Measure:
    """Withdraw a measure (撤回); it stops applying at once. Kept with its reason."""
    permissions.require_drafter(actor, _("措置を撤回できるのは専門部署の職員のみです。"))
    measure = locked(measure)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("撤回の理由を入力してください。")})
    if measure.status in (MeasureStatus.WITHDRAWN, MeasureStatus.ENDED):
        raise ValidationError(_("この措置は既に撤回または終了しています。"))
    before = measure.get_status_display()
    measure.status = MeasureStatus.WITHDRAWN
    measure.withdrawn_at = timezone.now()
    measure.withdrawn_by = actor
    measure.withdrawal_reason = reason[:TEXT_LIMIT]
    measure.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"])
    event(measure, MeasureEventKind.WITHDRAWN, actor, note=reason, at=measure.withdrawn_at)
    audit_record(
        actor=actor,
        action="measures.measure.withdrawn",
        obj=measure,
        before={"status": before},
        after={"status": measure.get_status_display(), "reason": reason},
    )
    return measure


@transaction.atomic
def measure_appeal_record(*, actor, measure: Measure, received_on: dt.date, content: str) -> MeasureAppeal:
    """Record an objection the resident raised against an issued measure."""
    permissions.require_drafter(actor)
    measure = locked(measure)
    errors = {}
    if measure.status not in (MeasureStatus.ISSUED, MeasureStatus.WITHDRAWN, MeasureStatus.ENDED):
        raise ValidationError(_("発出した措置にのみ不服の申出を記録できます。"))
    if not (content or "").strip():
        errors["content"] = _("申出の内容を入力してください。")
    if received_on is None:
        errors["received_on"] = _("受付日を入力してください。")
    elif received_on > timezone.localdate():
        errors["received_on"] = _("受付日が未来になっています。")
    if errors:
        raise ValidationError(errors)
    appeal = MeasureAppeal.objects.create(
        measure=measure, received_on=received_on, content=content.strip()[:TEXT_LIMIT], recorded_by=actor
    )
    event(measure, MeasureEventKind.APPEALED, actor, note=appeal.content)
    audit_record(
        actor=actor,
        action="measures.measure.appealed",
        obj=measure,
        after={"received_on": received_on.isoformat(), "content": appeal.content},
    )
    return appeal


@transaction.atomic
def measure_appeal_decide(*, actor, appeal: MeasureAppeal, outcome: str, reason: str) -> MeasureAppeal:
    """Record the decision on an objection. Revoking it withdraws the measure."""
    permissions.require_drafter(actor)
    appeal = MeasureAppeal.objects.select_for_update().get(pk=appeal.pk)
    errors = {}
    if appeal.outcome:
        raise ValidationError(_("この申出には既に判断が記録されています。"))
    if outcome not in (AppealOutcome.UPHELD, AppealOutcome.AMENDED, AppealOutcome.REVOKED):
        errors["outcome"] = _("結果を選んでください。")
    if not (reason or "").strip():
        errors["reason"] = _("判断の理由を入力してください。")
    if errors:
        raise ValidationError(errors)
    appeal.outcome = outcome
    appeal.decision_reason = reason.strip()[:TEXT_LIMIT]
    appeal.decided_on = timezone.localdate()
    appeal.decided_by = actor
    appeal.save(update_fields=["outcome", "decision_reason", "decided_on", "decided_by"])
    measure = appeal.measure
    event(
        measure,
        MeasureEventKind.APPEAL_DECIDED,
        actor,
        note=f"{appeal.get_outcome_display()}: {appeal.decision_reason}",
    )
    audit_record(
        actor=actor,
        action="measures.appeal.decided",
        obj=measure,
        after={"outcome": appeal.get_outcome_display(), "reason": appeal.decision_reason},
    )
    if outcome == AppealOutcome.REVOKED and measure.status not in (MeasureStatus.WITHDRAWN, MeasureStatus.ENDED):
        measure_withdraw(
            actor=actor, measure=measure, reason=_("不服の申出により取消し: {reason}").format(reason=reason)
        )
    return appeal


@transaction.atomic
def measure_reminders(*, now: dt.datetime | None = None) -> list[Measure]:
    """Notify the specialist section of measures whose review date is near
    (``reminder_days_before_review`` days before), once per measure; and mark
    issued measures past their end date as 期間満了. Run daily."""
    from notifications.services import notification_send

    now = now or timezone.now()
    today = timezone.localdate(now)
    specialists = list(specialist_section_users())
    due = []
    candidates = Measure.objects.select_for_update().filter(
        status=MeasureStatus.ISSUED, review_on__isnull=False, reminded_at__isnull=True
    )
    for measure in candidates.select_related("resident"):
        if measure.review_on - dt.timedelta(days=measure.reminder_days_before_review) > today:
            continue
        notification_send(
            users=specialists,
            kind="measures.review",
            text=_("{resident}さんの「{measure}」の見直し日（{day}）が近づいています。").format(
                resident=measure.resident.name, measure=measure.title, day=measure.review_on.strftime("%Y-%m-%d")
            ),
            url=reverse("measures:measure_detail", args=[measure.pk]),
        )
        measure.reminded_at = now
        measure.save(update_fields=["reminded_at"])
        event(measure, MeasureEventKind.REVIEW_REMINDED, None, at=now)
        audit_record(actor=None, action="measures.measure.review_reminded", obj=measure, actor_name="measure_reminders")
        due.append(measure)
    ended = Measure.objects.filter(status=MeasureStatus.ISSUED, ends_on__lt=today)
    for measure in ended:
        measure.status = MeasureStatus.ENDED
        measure.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=None,
            action="measures.measure.ended",
            obj=measure,
            after={"ends_on": str(measure.ends_on)},
            actor_name="measure_reminders",
        )
    return due
