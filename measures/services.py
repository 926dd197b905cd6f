"""Measures (措置): drafting, approval (決裁), issue, withdrawal, appeals,
review reminders, and applying an active response restriction to contacts.

Every function checks the actor's role, validates against the policy pack,
runs in one transaction, writes a timeline event and an audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from audit.services import audit_record
from mamoru.policy.loader import current as current_policy

from .choices import AppealOutcome, ApprovalDecision, MeasureEventKind, MeasureStatus
from .models import Measure, MeasureAppeal, MeasureApproval, MeasureEvent

TEXT_LIMIT = 4000


@dataclass
class RestrictionConditions:
    """The conditions of a response restriction (対応制限). Empty: none."""

    written_only: bool = False
    written_channels: list[str] = field(default_factory=list)
    designated_staff: list = field(default_factory=list)
    max_minutes: int | None = None
    allowed_weekdays: list[int] = field(default_factory=list)
    allowed_from: dt.time | None = None
    allowed_until: dt.time | None = None
    counter_department: object = None

    def is_empty(self) -> bool:
        return not (
            self.written_only
            or self.designated_staff
            or self.max_minutes
            or self.allowed_weekdays
            or self.allowed_from
            or self.allowed_until
            or self.counter_department
        )


def _require_specialist(actor, message: str | None = None) -> None:
    if not (actor.is_authenticated and actor.is_specialist):
        raise PermissionDenied(message or _("措置を扱えるのは専門部署の職員のみです。"))


def _event(measure: Measure, kind: str, actor, note: str = "", at: dt.datetime | None = None) -> None:
    MeasureEvent.objects.create(measure=measure, kind=kind, actor=actor, note=note, at=at or timezone.now())


def measure_snapshot(measure: Measure) -> dict:
    """A readable copy of a measure for the audit log."""
    return {
        "resident": str(measure.resident),
        "measure": measure.title,
        "status": measure.get_status_display(),
        "reasons": measure.reasons,
        "contacts": [c.pk for c in measure.contacts.all()],
        "lead_department": measure.lead_department.name,
        "conditions": measure.conditions_text(),
        "starts_on": measure.starts_on.isoformat() if measure.starts_on else "",
        "ends_on": measure.ends_on.isoformat() if measure.ends_on else "",
        "review_on": measure.review_on.isoformat() if measure.review_on else "",
    }


def _validate(
    *,
    resident,
    kind: str,
    reasons: str,
    contacts: list,
    lead_department,
    conditions: RestrictionConditions,
    starts_on,
    ends_on,
    review_on,
    reminder_days_before_review: int,
):
    """Raise ValidationError (field → Japanese message); return the pack's measure."""
    pack = current_policy()
    errors: dict[str, str] = {}
    rung = pack.measure(kind)
    if rung is None:
        errors["kind"] = _("措置「{kind}」はポリシーパックにありません。").format(kind=kind)
    if not (reasons or "").strip():
        errors["reasons"] = _("措置の理由を入力してください。")
    elif len(reasons) > TEXT_LIMIT:
        errors["reasons"] = _("{limit}文字以内で入力してください。").format(limit=TEXT_LIMIT)
    if not contacts:
        errors["contacts"] = _("理由となる対応記録を1件以上選んでください。")
    elif any(c.resident_id != resident.pk or c.deleted_at is not None for c in contacts):
        errors["contacts"] = _("理由となる対応記録は、この住民等の記録から選んでください。")
    if lead_department is None:
        errors["lead_department"] = _("主管課を選んでください。")
    if starts_on is None:
        errors["starts_on"] = _("開始日を入力してください。")
    else:
        if ends_on is not None and ends_on < starts_on:
            errors["ends_on"] = _("終了日は開始日より後にしてください。")
        if review_on is not None and review_on < starts_on:
            errors["review_on"] = _("見直し日は開始日以降にしてください。")
        if review_on is not None and ends_on is not None and review_on > ends_on:
            errors["review_on"] = _("見直し日は終了日までの日にしてください。")
    if reminder_days_before_review is None or reminder_days_before_review < 0:
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
    if any(not user.handles_records or not user.is_active for user in conditions.designated_staff):
        errors["designated_staff"] = _("指定職員には、対応記録を扱う職員を選んでください。")
    if errors:
        raise ValidationError(errors)
    return rung


def _write(
    measure: Measure,
    *,
    contacts,
    conditions,
    reasons,
    lead_department,
    starts_on,
    ends_on,
    review_on,
    reminder_days_before_review,
) -> None:
    """Validate the terms of a draft and save them on ``measure`` with its
    linked contacts and designated staff (draft and correction alike)."""
    contacts = list(contacts)
    rung = _validate(
        resident=measure.resident,
        kind=measure.kind,
        reasons=reasons,
        contacts=contacts,
        lead_department=lead_department,
        conditions=conditions,
        starts_on=starts_on,
        ends_on=ends_on,
        review_on=review_on,
        reminder_days_before_review=reminder_days_before_review,
    )
    measure.title = measure.title or rung.name
    measure.reasons = reasons.strip()
    measure.lead_department = lead_department
    measure.written_only = conditions.written_only
    measure.written_channels = list(conditions.written_channels) if conditions.written_only else []
    measure.max_minutes = conditions.max_minutes
    measure.allowed_weekdays = sorted(set(conditions.allowed_weekdays))
    measure.allowed_from = conditions.allowed_from
    measure.allowed_until = conditions.allowed_until
    measure.counter_department = conditions.counter_department
    measure.starts_on = starts_on
    measure.ends_on = ends_on
    measure.review_on = review_on
    measure.reminder_days_before_review = reminder_days_before_review
    measure.save()
    measure.contacts.set(contacts)
    measure.designated_staff.set(conditions.designated_staff)


@transaction.atomic
def measure_draft(
    *,
    actor,
    resident,
    kind: str,
    reasons: str,
    contacts: list,
    lead_department,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    review_on: dt.date | None = None,
    conditions: RestrictionConditions | None = None,
    reminder_days_before_review: int = 14,
) -> Measure:
    """Draft a measure (起案). The specialist section only."""
    _require_specialist(actor)
    measure = Measure(resident=resident, kind=kind, drafted_by=actor)
    _write(
        measure,
        contacts=contacts,
        conditions=conditions or RestrictionConditions(),
        reasons=reasons,
        lead_department=lead_department,
        starts_on=starts_on,
        ends_on=ends_on,
        review_on=review_on,
        reminder_days_before_review=reminder_days_before_review,
    )
    _event(measure, MeasureEventKind.DRAFTED, actor)
    audit_record(actor=actor, action="measures.measure.drafted", obj=measure, after=measure_snapshot(measure))
    return measure


def _locked(measure: Measure) -> Measure:
    return Measure.objects.select_for_update().get(pk=measure.pk)


@transaction.atomic
def measure_update(
    *,
    actor,
    measure: Measure,
    reasons: str,
    contacts: list,
    lead_department,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    review_on: dt.date | None = None,
    conditions: RestrictionConditions | None = None,
    reminder_days_before_review: int = 14,
) -> Measure:
    """Correct a draft or a measure sent back. Nothing else can be edited."""
    _require_specialist(actor)
    measure = _locked(measure)
    if not measure.is_editable:
        raise ValidationError(_("起案中または差戻しの措置のみ修正できます。"))
    before = measure_snapshot(measure)
    _write(
        measure,
        contacts=contacts,
        conditions=conditions or RestrictionConditions(),
        reasons=reasons,
        lead_department=lead_department,
        starts_on=starts_on,
        ends_on=ends_on,
        review_on=review_on,
        reminder_days_before_review=reminder_days_before_review,
    )
    after = measure_snapshot(measure)
    _event(measure, MeasureEventKind.UPDATED, actor)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    audit_record(
        actor=actor,
        action="measures.measure.updated",
        obj=measure,
        before={k: before.get(k) for k in changed},
        after=changed,
    )
    return measure


def measure_steps(measure: Measure) -> tuple[str, ...]:
    """The roles whose approval the measure needs, in order (from the pack)."""
    rung = current_policy().measure(measure.kind)
    return rung.approvers if rung is not None else ()


def _round_approvals(measure: Measure) -> list[MeasureApproval]:
    return list(
        MeasureApproval.objects.filter(
            measure=measure, round=measure.round, decision=ApprovalDecision.APPROVED
        ).order_by("step")
    )


def measure_current_step(measure: Measure) -> int | None:
    """The index of the step awaiting approval, or None when none is."""
    if measure.status != MeasureStatus.PENDING:
        return None
    steps = measure_steps(measure)
    done = len(_round_approvals(measure))
    return done if done < len(steps) else None


def holds_step_role(user, measure: Measure, role: str) -> bool:
    """Whether the user holds the role of a step: the lead department's
    supervisor or manager, or any member of the specialist section."""
    if not user.is_authenticated or not user.is_active:
        return False
    if role == "specialist":
        return user.is_specialist
    if role in (Role.SUPERVISOR, Role.MANAGER):
        return user.role == role and user.department_id == measure.lead_department_id
    return False


def step_label(measure: Measure, role: str) -> str:
    """「市民課の管理職」「総務課（専門部署）」: who approves a step."""
    if role == "specialist":
        return _("{section}（専門部署）").format(section=current_policy().city.specialist_section)
    return _("{department}の{role}").format(department=measure.lead_department.name, role=str(Role(role).label))


def _require_step_approver(actor, measure: Measure) -> tuple[int, str]:
    step = measure_current_step(measure)
    if step is None:
        raise ValidationError(_("この措置は決裁待ちではありません。"))
    role = measure_steps(measure)[step]
    if not holds_step_role(actor, measure, role):
        raise PermissionDenied(_("この段階の決裁は{who}が行います。").format(who=step_label(measure, role)))
    if actor.pk == measure.drafted_by_id:
        raise ValidationError(_("自分が起案した措置は決裁できません。"))
    if any(a.approver_id == actor.pk for a in _round_approvals(measure)):
        raise ValidationError(_("同じ職員が複数の段階を決裁することはできません。"))
    return step, role


@transaction.atomic
def measure_submit(*, actor, measure: Measure) -> Measure:
    """Send a draft (or a corrected send-back) for approval (決裁に回付)."""
    _require_specialist(actor)
    measure = _locked(measure)
    if not measure.is_editable:
        raise ValidationError(_("起案中または差戻しの措置のみ決裁に回せます。"))
    before = measure.get_status_display()
    measure.round += 1
    measure.status = MeasureStatus.PENDING if measure_steps(measure) else MeasureStatus.APPROVED
    measure.save(update_fields=["round", "status", "updated_at"])
    _event(measure, MeasureEventKind.SUBMITTED, actor)
    audit_record(
        actor=actor,
        action="measures.measure.submitted",
        obj=measure,
        before={"status": before},
        after={"status": measure.get_status_display(), "round": measure.round},
    )
    return measure


@transaction.atomic
def measure_approve(*, actor, measure: Measure, comment: str = "") -> Measure:
    """Approve the current step (決裁). The last step makes the measure 決裁済."""
    measure = _locked(measure)
    step, role = _require_step_approver(actor, measure)
    MeasureApproval.objects.create(
        measure=measure,
        round=measure.round,
        step=step,
        role=role,
        approver=actor,
        decision=ApprovalDecision.APPROVED,
        comment=(comment or "").strip()[:TEXT_LIMIT],
    )
    if step + 1 >= len(measure_steps(measure)):
        measure.status = MeasureStatus.APPROVED
        measure.save(update_fields=["status", "updated_at"])
    _event(measure, MeasureEventKind.APPROVED, actor, note=(comment or "").strip())
    audit_record(
        actor=actor,
        action="measures.measure.approved",
        obj=measure,
        after={
            "step": step + 1,
            "role": str(Role(role).label),
            "comment": comment,
            "status": measure.get_status_display(),
        },
    )
    return measure


@transaction.atomic
def measure_send_back(*, actor, measure: Measure, comment: str) -> Measure:
    """Send the measure back to the drafter with a comment (差戻し)."""
    measure = _locked(measure)
    step, role = _require_step_approver(actor, measure)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("差戻しの理由をコメントに入力してください。")})
    MeasureApproval.objects.create(
        measure=measure,
        round=measure.round,
        step=step,
        role=role,
        approver=actor,
        decision=ApprovalDecision.SENT_BACK,
        comment=comment[:TEXT_LIMIT],
    )
    measure.status = MeasureStatus.SENT_BACK
    measure.save(update_fields=["status", "updated_at"])
    _event(measure, MeasureEventKind.SENT_BACK, actor, note=comment)
    audit_record(
        actor=actor, action="measures.measure.sent_back", obj=measure, after={"step": step + 1, "comment": comment}
    )
    return measure


def letter_context(measure: Measure, issued_on: dt.date):
    """What goes into the measure's letter (from the letters app)."""
    from letters.services import LetterContext

    facts = [
        (timezone.localtime(c.started_at).date(), c.summary or c.request_content[:80] or _("対応記録"))
        for c in measure.contacts.filter(deleted_at__isnull=True).order_by("started_at")
    ]
    return LetterContext(
        addressee_name=measure.resident.name,
        addressee_address=measure.resident.address,
        facts=facts,
        measure_name=measure.title,
        reasons=measure.reasons,
        starts_on=measure.starts_on,
        ends_on=measure.ends_on,
        review_on=measure.review_on,
        conditions=measure.conditions_text(),
        issued_on=issued_on,
    )


@transaction.atomic
def measure_issue(*, actor, measure: Measure) -> Measure:
    """Issue an approved measure (発出); with the pack's letter, if it names one,
    issued and stored in the same transaction."""
    _require_specialist(actor, _("措置を発出できるのは専門部署の職員のみです。"))
    measure = _locked(measure)
    if measure.status != MeasureStatus.APPROVED:
        if measure.status in (MeasureStatus.ISSUED, MeasureStatus.WITHDRAWN, MeasureStatus.ENDED):
            raise ValidationError(_("この措置は既に発出または撤回されています。"))
        raise ValidationError(_("決裁が済んでいないため発出できません。"))
    rung = current_policy().measure(measure.kind)
    now = timezone.now()
    if rung is not None and rung.letter:
        from letters.services import letter_issue

        measure.letter = letter_issue(
            actor=actor, measure_code=measure.kind, context=letter_context(measure, timezone.localdate(now))
        )
    measure.status = MeasureStatus.ISSUED
    measure.issued_at = now
    measure.issued_by = actor
    measure.save(update_fields=["status", "issued_at", "issued_by", "letter", "updated_at"])
    note = measure.letter.document_number if measure.letter else ""
    _event(measure, MeasureEventKind.ISSUED, actor, note=note, at=now)
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
    _require_specialist(actor, _("措置を撤回できるのは専門部署の職員のみです。"))
    measure = _locked(measure)
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
    _event(measure, MeasureEventKind.WITHDRAWN, actor, note=reason, at=measure.withdrawn_at)
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
    _require_specialist(actor)
    measure = _locked(measure)
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
    _event(measure, MeasureEventKind.APPEALED, actor, note=appeal.content)
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
    _require_specialist(actor)
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
    _event(
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
    from accounts.models import User
    from notifications.services import notification_send

    now = now or timezone.now()
    today = timezone.localdate(now)
    specialists = list(User.objects.filter(role=Role.SPECIALIST, is_active=True))
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
        _event(measure, MeasureEventKind.REVIEW_REMINDED, None, at=now)
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


# Applying an active restriction to a contact --------------------------------------------------


def restriction_violations(*, resident, department, channel: str, staff, started_at: dt.datetime | None) -> list[str]:
    """Why a contact falls outside the resident's active response restriction
    (Japanese sentences); empty when it does not or there is none."""
    from .selectors import measure_restriction_for

    if resident is None or started_at is None:
        return []
    local = timezone.localtime(started_at)
    measure = measure_restriction_for(resident=resident, on=local.date())
    if measure is None:
        return []
    problems = []
    if measure.written_only and channel not in measure.written_channels:
        problems.append(
            _("書面以外の方法（{channel}）での対応です。").format(channel=current_policy().channel_name(channel))
        )
    designated = {user.pk for user in measure.designated_staff.all()}
    if designated and getattr(staff, "pk", None) not in designated:
        problems.append(_("指定職員以外の職員による対応です。"))
    if measure.allowed_weekdays and local.weekday() not in measure.allowed_weekdays:
        problems.append(_("対応する曜日以外の対応です。"))
    if (
        measure.allowed_from
        and measure.allowed_until
        and not (measure.allowed_from <= local.time().replace(tzinfo=None) < measure.allowed_until)
    ):
        problems.append(_("対応時間帯以外の対応です。"))
    if measure.counter_department_id and getattr(department, "pk", None) != measure.counter_department_id:
        problems.append(
            _("指定された窓口（{department}）以外での対応です。").format(department=measure.counter_department.name)
        )
    return problems


def restriction_require_reason(*, data) -> None:
    """Refuse to save a contact outside an active restriction without a reason.
    ``data`` is a records.services.ContactData."""
    if (getattr(data, "restriction_exception_reason", "") or "").strip():
        return
    if restriction_violations(
        resident=data.resident,
        department=data.department,
        channel=data.channel,
        staff=data.staff,
        started_at=data.started_at,
    ):
        raise ValidationError(
            {"restriction_exception_reason": _("対応制限の条件外の対応です。理由を記入してください。")}
        )


def restriction_clock_minutes(measure: Measure | None) -> tuple[int, int] | None:
    """(warning, limit) minutes for the live clock under a restriction with a
    time limit: the warning comes 5 minutes before the limit (1 minute before
    for a limit of 5 minutes or less)."""
    if measure is None or not measure.max_minutes:
        return None
    limit = measure.max_minutes
    warning = limit - 5 if limit > 5 else max(limit - 1, 0)
    return warning, limit
