"""Backup calls (応援要請): calling, taking, escalating and closing.

Each function checks the actor, stores the change in one transaction with an
audit entry, and only then (on commit) pushes an event to the browsers of the
people concerned. A browser that was not connected reads the open calls from
the database when it connects, so nothing depends on the push arriving.

Levels (``BackupLevel``): a new call alerts the department's supervisors and
managers and the specialist section (level ``supervisor``: a 上司 is expected to
go). Unanswered for the pack's ``backup_call.escalation_seconds`` it moves to
level ``manager`` (the department's managers are re-alerted), and after as long
again to level ``specialist`` (the specialist section is re-alerted). Anyone
alerted may take the call at any level. Who is alerted, follows, takes and
closes a call: ``backup_calls.permissions``.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from mamoru.policy.loader import current as current_policy
from realtime import groups
from realtime.events import publish_on_commit
from records.models import Contact
from records.services import contact_require_visible

from .choices import NEXT_LEVEL, BackupLevel
from .models import BackupCall
from .permissions import may_resolve, may_respond
from .selectors import backup_call_event_data

logger = logging.getLogger(__name__)

REASON_LIMIT = 100


def _level_group(call: BackupCall) -> str:
    """The group (re-)alerted when the call reaches its level."""
    if call.level == BackupLevel.MANAGER:
        return groups.department_managers(call.department_id)
    if call.level == BackupLevel.SPECIALIST:
        return groups.specialist_section()
    return groups.department_supervisors(call.department_id)


def _follower_groups(call: BackupCall) -> list[str]:
    """Everyone who follows a call: its responders and its caller."""
    return [*groups.department_responders(call.department_id), groups.user(call.caller_id)]


def _publish(call: BackupCall, kind: str) -> None:
    """Send ``kind`` about the call to everyone who follows it. An escalation
    re-alerts (``backup_call.escalated``) the new level's group only; the others
    who follow the call, the caller among them, get ``backup_call.updated``."""
    call = BackupCall.objects.select_related("contact", "department", "caller", "taken_by").get(pk=call.pk)
    data = backup_call_event_data(call)
    followers = _follower_groups(call)
    if kind == "backup_call.escalated":
        alerted = _level_group(call)
        publish_on_commit([alerted], {"kind": kind, "call": data})
        publish_on_commit(
            [name for name in followers if name != alerted], {"kind": "backup_call.updated", "call": data}
        )
    else:
        publish_on_commit(followers, {"kind": kind, "call": data})


def _timing(call: BackupCall) -> dict:
    return {
        name: value.isoformat() if value else None
        for name, value in (
            ("created_at", call.created_at),
            ("manager_alerted_at", call.manager_alerted_at),
            ("specialist_alerted_at", call.specialist_alerted_at),
            ("taken_at", call.taken_at),
            ("resolved_at", call.resolved_at),
        )
    }


def backup_call_create(*, actor, contact: Contact, reason: str = "") -> BackupCall:
    """Call for backup on a live contact. Pressing twice (a double click, two
    devices) returns the call already open; ``call.created`` tells which."""
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_LIMIT:
        raise ValidationError({"reason": _("理由は{limit}文字以内で入力してください。").format(limit=REASON_LIMIT)})
    try:
        call = _create(actor=actor, contact=contact, reason=reason)
    except IntegrityError:
        # Another request opened a call in the same instant (the unique constraint
        # on open calls per contact kept it to one): answer with that one.
        call = BackupCall.objects.get(contact=contact, resolved_at__isnull=True)
        call.created = False
        return call
    if call.created:
        _open_case(actor=actor, contact=contact, detail=call.reason)
    return call


def _open_case(*, actor, contact: Contact, detail: str) -> None:
    """A backup call brings its contact into a case (事案), once the call is stored
    and its alert sent: the call for help waits for none of the case's work (its
    notices go to every supervisor of the department and the specialist section)
    and never fails with it. Should the case fail to open, the call stands and
    the contact can still be reported from its page."""
    from cases.services import case_open_or_join

    try:
        case_open_or_join(actor=actor, contact=contact, reason="backup_call", detail=detail)
    except Exception:
        logger.exception("応援要請の対応記録を事案にできませんでした（対応記録 %s）", contact.pk)


@transaction.atomic
def _create(*, actor, contact: Contact, reason: str) -> BackupCall:
    contact_require_visible(actor=actor, contact=contact)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.ended_at is not None:
        raise ValidationError(_("この対応は既に終了しているため、応援要請できません。"))
    existing = BackupCall.objects.filter(contact=contact, resolved_at__isnull=True).first()
    if existing is not None:
        existing.created = False
        return existing
    with transaction.atomic():
        call = BackupCall.objects.create(
            contact=contact,
            department_id=contact.department_id,
            caller=actor,
            workplace=actor.workplace,
            reason=reason,
        )
    audit_record(
        actor=actor,
        action="backup.call.created",
        obj=call,
        after={"contact": contact.pk, "reason": reason, "workplace": call.workplace, **_timing(call)},
    )
    _publish(call, "backup_call.created")
    call.created = True
    return call


@transaction.atomic
def backup_call_take(*, actor, call: BackupCall) -> BackupCall:
    """「向かいます」: the actor goes to help. Only one person takes a call."""
    if not may_respond(actor, call.department_id):
        raise PermissionDenied(_("この応援要請に対応できるのは、担当課の上司・管理職と専門部署です。"))
    now = timezone.now()
    updated = BackupCall.objects.filter(pk=call.pk, taken_at__isnull=True, resolved_at__isnull=True).update(
        taken_by=actor, taken_at=now
    )
    call = BackupCall.objects.select_related("taken_by").get(pk=call.pk)
    if not updated:
        if call.taken_by_id == actor.pk:
            return call
        if call.taken_by_id:
            raise ValidationError(
                _("この応援要請には既に{name}さんが対応しています（{time}）。").format(
                    name=call.taken_by.display_name, time=timezone.localtime(call.taken_at).strftime("%H:%M:%S")
                )
            )
        raise ValidationError(_("この応援要請は既に終了しています。"))
    audit_record(actor=actor, action="backup.call.taken", obj=call, after=_timing(call))
    _publish(call, "backup_call.taken")
    return call


@transaction.atomic
def backup_call_resolve(*, actor, call: BackupCall) -> BackupCall:
    """Close a call (the situation is over). The caller, the person who took
    it and its responders may close it."""
    if not may_resolve(actor, call):
        raise PermissionDenied(_("この応援要請を終了する権限がありません。"))
    now = timezone.now()
    updated = BackupCall.objects.filter(pk=call.pk, resolved_at__isnull=True).update(resolved_by=actor, resolved_at=now)
    call = BackupCall.objects.get(pk=call.pk)
    if not updated:
        raise ValidationError(_("この応援要請は既に終了しています。"))
    audit_record(actor=actor, action="backup.call.resolved", obj=call, after=_timing(call))
    _publish(call, "backup_call.resolved")
    return call


def backup_call_escalate_due(*, now: dt.datetime | None = None) -> list[BackupCall]:
    """Move every unanswered call that has waited the pack's
    ``escalation_seconds`` at its level to the next level, and re-alert.

    Several server processes may run this at the same moment: each move is a
    conditional UPDATE (still at that level, untaken, open), so only one of
    them moves a call and sends its alert."""
    now = now or timezone.now()
    wait = dt.timedelta(seconds=current_policy().backup_call.escalation_seconds)
    due = BackupCall.objects.filter(taken_at__isnull=True, resolved_at__isnull=True, contact__ended_at__isnull=True)
    candidates = list(
        due.filter(level=BackupLevel.SUPERVISOR, created_at__lte=now - wait).values_list("pk", "level")
    ) + list(due.filter(level=BackupLevel.MANAGER, manager_alerted_at__lte=now - wait).values_list("pk", "level"))
    escalated = []
    for pk, level in candidates:
        call = _escalate_one(pk=pk, level=level, now=now, wait=wait)
        if call is not None:
            escalated.append(call)
    return escalated


@transaction.atomic
def _escalate_one(*, pk: int, level: str, now: dt.datetime, wait: dt.timedelta) -> BackupCall | None:
    next_level = NEXT_LEVEL[BackupLevel(level)]
    still_due = BackupCall.objects.filter(pk=pk, level=level, taken_at__isnull=True, resolved_at__isnull=True)
    if level == BackupLevel.SUPERVISOR:
        updated = still_due.filter(created_at__lte=now - wait).update(level=next_level, manager_alerted_at=now)
    else:
        updated = still_due.filter(manager_alerted_at__lte=now - wait).update(
            level=next_level, specialist_alerted_at=now
        )
    if not updated:
        return None
    call = BackupCall.objects.get(pk=pk)
    audit_record(
        actor=None,
        actor_name="mamoru",
        action="backup.call.escalated",
        obj=call,
        before={"level": level},
        after={"level": next_level, **_timing(call)},
    )
    _publish(call, "backup_call.escalated")
    return call
