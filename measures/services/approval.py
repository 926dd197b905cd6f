"""The approval ladder (決裁): submitting a measure, approving or sending back
the step that waits, and the approver's audited read of the evidence."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.choices import Role
from audit.services import audit_record
from mamoru.policy.loader import current as current_policy
from measures import permissions
from measures.choices import ApprovalDecision, MeasureEventKind, MeasureStatus
from measures.models import Measure, MeasureApproval
from measures.selectors import measure_current_step, measure_round_approvals, measure_steps, step_label

from ._common import TEXT_LIMIT, event, locked


def _require_step_approver(actor, measure: Measure) -> tuple[int, str]:
    step = measure_current_step(measure)
    if step is None:
        raise ValidationError(_("この措置は決裁待ちではありません。"))
    role = measure_steps(measure)[step]
    if not permissions.holds_step_role(actor, measure, role):
        raise PermissionDenied(_("この段階の決裁は{who}が行います。").format(who=step_label(measure, role)))
    if actor.pk == measure.drafted_by_id:
        raise ValidationError(_("自分が起案した措置は決裁できません。"))
    if any(a.approver_id == actor.pk for a in measure_round_approvals(measure)):
        raise ValidationError(_("同じ職員が複数の段階を決裁することはできません。"))
    return step, role


@transaction.atomic
def measure_submit(*, actor, measure: Measure) -> Measure:
    """Send a draft (or a corrected send-back) for approval (決裁に回付)."""
    permissions.require_drafter(actor)
    measure = locked(measure)
    if not measure.is_editable:
        raise ValidationError(_("起案中または差戻しの措置のみ決裁に回せます。"))
    rung = current_policy().measure(measure.kind)
    if rung is not None and rung.letter and not rung.restricts and not measure.letter_requests.strip():
        # a draft made before the requests were asked for: its letter would print 「なし」
        raise ValidationError(
            _("「今後守っていただく事項」を入力してから決裁に回してください（{letter}に記載します）。").format(
                letter=rung.letter
            )
        )
    before = measure.get_status_display()
    measure.round += 1
    measure.status = MeasureStatus.PENDING if measure_steps(measure) else MeasureStatus.APPROVED
    measure.save(update_fields=["round", "status", "updated_at"])
    event(measure, MeasureEventKind.SUBMITTED, actor)
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
    measure = locked(measure)
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
    event(measure, MeasureEventKind.APPROVED, actor, note=(comment or "").strip())
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
    measure = locked(measure)
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
    event(measure, MeasureEventKind.SENT_BACK, actor, note=comment)
    audit_record(
        actor=actor, action="measures.measure.sent_back", obj=measure, after={"step": step + 1, "comment": comment}
    )
    return measure


@transaction.atomic
def measure_contact_read(*, actor, measure: Measure, contact):
    """An approver reads a contact linked to the measure that waits for their
    decision (the contact may belong to another department). Audited; 404 for
    anyone else, for a contact not linked, or once the step is decided."""
    step = measure_current_step(measure)
    role = measure_steps(measure)[step] if step is not None else None
    if not permissions.may_read_contact_as_approver(actor, measure, contact, step=step, role=role):
        raise Http404(_("対応記録が見つかりません。"))
    audit_record(
        actor=actor,
        action="measures.contact.read_as_approver",
        obj=contact,
        after={"measure": measure.pk, "measure_title": measure.title, "step": step + 1},
    )
    return contact
