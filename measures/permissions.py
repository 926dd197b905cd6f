"""Who may do what with measures (措置), built on ``accounts.permissions``:
views, services, selectors and templates ask here."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts import permissions as base
from accounts.choices import Role

from .choices import ApprovalDecision, MeasureStatus

SPECIALIST_STEP = Role.SPECIALIST  # the pack names the specialist section's step "specialist"
DEPARTMENT_STEP_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER})


def in_department_audience(user, department_id) -> bool:
    """The audience of a department: its supervisors and managers, and the
    specialist section (``accounts.permissions.is_department_responder``, the
    one rule for every app)."""
    return base.is_department_responder(user, department_id)


def may_draft(user) -> bool:
    """Drafting, correcting, submitting, issuing and withdrawing measures, and
    recording appeals: the specialist section."""
    return base.is_specialist(user)


def require_drafter(user, message: str | None = None) -> None:
    base.require_specialist(user, message or _("措置を扱えるのは専門部署の職員のみです。"))


def may_draft_for(user, resident) -> bool:
    """Drafting a measure for this resident: not for one merged into another."""
    return may_draft(user) and resident is not None and getattr(resident, "merged_into_id", None) is None


def may_view_measures(user) -> bool:
    """Seeing measures at all (the list, the resident's timeline)."""
    return base.is_supervisor_or_above(user)


def holds_step_role(user, measure, role: str) -> bool:
    """Whether the user holds the role of an approval step: the lead
    department's supervisor or manager, or any member of the specialist section."""
    if role == SPECIALIST_STEP:
        return base.is_specialist(user)
    if role in DEPARTMENT_STEP_ROLES:
        return user.role == role and in_department_audience(user, measure.lead_department_id)
    return False


def may_approve_step(user, measure, *, step: int | None, role: str | None, approvals=None) -> bool:
    """Whether the measure waits for this user's decision now: the step that
    waits is the user's role, the user did not draft it and approved no
    earlier step of this round. ``approvals``: the round's approvals, if loaded."""
    if step is None or role is None or measure.status != MeasureStatus.PENDING:
        return False
    if not holds_step_role(user, measure, role) or measure.drafted_by_id == user.pk:
        return False
    if approvals is None:
        approvals = measure.approvals.filter(round=measure.round)
    return not any(
        a.approver_id == user.pk and a.round == measure.round and a.decision == ApprovalDecision.APPROVED
        for a in approvals
    )


def may_read_contact_as_approver(user, measure, contact, *, step: int | None, role: str | None) -> bool:
    """An approver reads the contacts linked to a measure while it waits for
    them, whatever department they belong to; nothing else of that department.
    ``contact`` must be one of the measure's (not deleted)."""
    if contact is None or contact.deleted_at is not None:
        return False
    if not may_approve_step(user, measure, step=step, role=role):
        return False
    return measure.contacts.filter(pk=contact.pk).exists()
