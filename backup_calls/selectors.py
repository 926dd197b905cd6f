"""Reading backup calls, narrowed to the user.

Who is alerted (a *responder*): the supervisors and managers of the call's
department, and the specialist section (every department). The caller sees
their own calls. Other staff, other departments and the administrator see none.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.choices import Role
from accounts.selectors import department_visible_ids

from .models import BackupCall


def user_may_respond(*, user, department_id: int) -> bool:
    """May this user be alerted to, and take, a call of this department?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.SPECIALIST:
        return True
    return user.role in (Role.SUPERVISOR, Role.MANAGER) and user.department_id == department_id


def backup_call_list(*, user) -> QuerySet[BackupCall]:
    """Calls the user may see: their own, and those of departments they respond to."""
    if not user.is_authenticated or not user.is_active or not user.handles_records:
        return BackupCall.objects.none()
    mine = Q(caller=user)
    if user.role == Role.SPECIALIST:
        return BackupCall.objects.filter(mine | Q(department__in=department_visible_ids(user=user)))
    if user.role in (Role.SUPERVISOR, Role.MANAGER) and user.department_id:
        return BackupCall.objects.filter(mine | Q(department_id=user.department_id))
    return BackupCall.objects.filter(mine)


def backup_call_get(*, user, pk) -> BackupCall:
    from django.http import Http404

    try:
        return backup_call_list(user=user).select_related("caller", "taken_by", "department", "contact").get(pk=pk)
    except (BackupCall.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("応援要請が見つからないか、閲覧する権限がありません。") from exc


def backup_call_pending_list(*, user) -> QuerySet[BackupCall]:
    """What a connecting browser must show at once: open calls on live contacts
    that nobody has taken (for responders), and the user's own open calls
    (so the caller's page shows who is coming after a reconnect)."""
    open_calls = backup_call_list(user=user).filter(resolved_at__isnull=True, contact__ended_at__isnull=True)
    return (
        open_calls.filter(Q(taken_at__isnull=True) | Q(caller=user))
        .select_related("caller", "taken_by", "department", "contact")
        .order_by("created_at", "id")
    )


def backup_call_for_contact(*, user, contact) -> list[BackupCall]:
    """Every call on a contact, for its page. The contact was read through
    ``records.selectors.contact_get`` for this user, and a call belongs to the
    contact's department, so whoever may see the contact may see its calls."""
    return list(
        BackupCall.objects.filter(contact=contact).select_related("caller", "taken_by", "resolved_by").order_by("id")
    )
