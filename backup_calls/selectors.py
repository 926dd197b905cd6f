"""Reading backup calls, narrowed to the user.

Who is alerted (a *responder*): the supervisors and managers of the call's
department, and the specialist section (every department). The caller sees
their own calls. Other staff, other departments and the administrator see none.
The rules are in ``backup_calls.permissions``.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as account_permissions
from accounts.selectors import department_visible_ids
from records.models import contact_number

from .choices import BackupLevel
from .models import BackupCall


def backup_call_list(*, user) -> QuerySet[BackupCall]:
    """Calls the user may see: their own, and those of departments they respond to."""
    if not account_permissions.handles_contacts(user):
        return BackupCall.objects.none()
    mine = Q(caller=user)
    if account_permissions.is_specialist(user):
        return BackupCall.objects.filter(mine | Q(department__in=department_visible_ids(user=user)))
    if account_permissions.is_department_supervisor(user, user.department_id):
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


def backup_call_open_list(*, user) -> QuerySet[BackupCall]:
    """Open calls of the department the user responds to as its 上司 or 管理職 (the home
    page's to-do list): the ones nobody has taken first, then the oldest."""
    if not account_permissions.is_department_supervisor(user, user.department_id):
        return BackupCall.objects.none()
    return (
        backup_call_list(user=user)
        .filter(resolved_at__isnull=True, department_id=user.department_id)
        .select_related("caller", "taken_by", "department", "contact")
        .order_by(F("taken_at").asc(nulls_first=True), "created_at", "id")
    )


def backup_call_for_contact(*, user, contact) -> list[BackupCall]:
    """Every call on a contact, for its page. The contact was read through
    ``records.selectors.contact_get`` for this user, and a call belongs to the
    contact's department, so whoever may see the contact may see its calls."""
    return list(
        BackupCall.objects.filter(contact=contact).select_related("caller", "taken_by", "resolved_by").order_by("id")
    )


def backup_call_level_note(level: str) -> str:
    """What the caller is told when nobody answered and the call moved up a level."""
    if level == BackupLevel.MANAGER:
        return _("応答がないため管理職へ引き上げました")
    if level == BackupLevel.SPECIALIST:
        return _("応答がないため専門部署へ引き上げました")
    return ""


def backup_call_event_data(call: BackupCall) -> dict:
    """The JSON a browser needs to show an alert for the call (or the caller's
    status): ``call`` loaded with its contact, department, caller and taker."""
    return {
        "id": call.pk,
        "contact_id": call.contact_id,
        "contact_number": contact_number(call.contact_id),
        "contact_url": reverse("records:contact_detail", args=[call.contact_id]),
        "contact_started_at": call.contact.started_at.isoformat(),
        "department_id": call.department_id,
        "department": call.department.name,
        "caller_id": call.caller_id,
        "caller": call.caller.display_name,
        "workplace": call.workplace,
        "reason": call.reason,
        "created_at": call.created_at.isoformat(),
        "level": call.level,
        "level_label": str(BackupLevel(call.level).label),
        "level_note": backup_call_level_note(call.level),
        "taken_by": call.taken_by.display_name if call.taken_by_id else "",
        "taken_by_id": call.taken_by_id,
        "taken_at": call.taken_at.isoformat() if call.taken_at else None,
        "resolved_at": call.resolved_at.isoformat() if call.resolved_at else None,
        "take_url": reverse("backup_calls:take", args=[call.pk]),
        "server_now": timezone.now().isoformat(),
    }


def backup_call_connect_events(user) -> list[dict]:
    """What a page is sent when it connects (``realtime.registry.register_on_connect``):
    each pending call (``backup_call.pending``), then the list of their ids
    (``backup_call.synced``), so a page that reconnects drops alerts that were
    taken or closed while it was away."""
    pending = [
        {"kind": "backup_call.pending", "call": backup_call_event_data(call)}
        for call in backup_call_pending_list(user=user)
    ]
    return [*pending, {"kind": "backup_call.synced", "ids": [event["call"]["id"] for event in pending]}]
