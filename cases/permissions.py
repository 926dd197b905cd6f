"""Who may see and act on a case (事案): built on ``accounts.permissions``.

- see a case (its page, its timeline, add a note): whoever handles contacts in its
  department, and the specialist section (every department);
- act on it (change the state, name the handler, record staff care): the 上司,
  管理職 of its department and the specialist section;
- hear of a new case at once (the in-app notice, the live push, the e-mail): the
  department's 上司 and 管理職 and the specialist section;
- the staff-care page: the department's 管理職 and the specialist section;
- a care follow-up (面談, referral, rest, rotation: about one person's health and
  work): among those who see the case, only the supervisor who recorded it, the
  department's 管理職, the specialist section and the member of staff it is about."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import permissions


def may_see_case(user, case) -> bool:
    return permissions.may_see_department(user, case.department_id)


def may_act_on_case(user, case) -> bool:
    return may_see_case(user, case) and permissions.is_supervisor_or_above(user)


def is_case_audience(user, department_id: int | None) -> bool:
    """Hears of a case of this department as soon as it is reported or joined."""
    return permissions.is_department_responder(user, department_id)


def may_confirm_cases(user) -> bool:
    """Has cases and care follow-ups of their department to confirm on the home page: a
    上司 or 管理職 of a department (the specialist section follows cases on their pages)."""
    return permissions.is_department_supervisor(user, getattr(user, "department_id", None))


def may_view_staff_care(user) -> bool:
    return permissions.is_specialist(user) or (permissions.is_manager(user) and user.department_id is not None)


def may_see_all_follow_ups(user, department_id: int | None) -> bool:
    """Sees every care follow-up of a case of this department: its 管理職 and the
    specialist section. Others see only those they recorded or that are about them."""
    return permissions.is_specialist(user) or permissions.is_department_manager(user, department_id)


def may_see_follow_up(user, follow_up) -> bool:
    """The rule ``cases.selectors.follow_up_list`` applies in the database."""
    if not may_see_case(user, follow_up.case):
        return False
    return may_see_all_follow_ups(user, follow_up.case.department_id) or user.pk in (
        follow_up.recorded_by_id,
        follow_up.staff_id,
    )


def require_case_handler(user) -> None:
    permissions.require_handler(user, _("事案を扱う権限がありません。"))


def require_case_visible(user, case) -> None:
    require_case_handler(user)
    if not may_see_case(user, case):
        raise PermissionDenied(_("この事案を扱う権限がありません。"))


def require_case_action(user, case, message: str) -> None:
    """May see the case, and is a 上司・管理職・専門部署 (``message`` says what was refused)."""
    require_case_visible(user, case)
    if not may_act_on_case(user, case):
        raise PermissionDenied(message)


def may_receive_event(user, event: dict) -> bool:
    """The realtime check for ``case.*`` events (``realtime.registry``): the case's
    audience, except whoever reported it (they know)."""
    if event.get("actor_id") is not None and event.get("actor_id") == user.pk:
        return False
    return is_case_audience(user, event.get("department_id"))
