"""Who is alerted of a backup call (応援要請), who may take or close it, and who
follows it: built on ``accounts.permissions``.

- *responders* (``may_respond``): the 上司 and 管理職 of the call's department and
  the specialist section. They are alerted when the call is made, and any of them
  may take it (「向かいます」) at any level;
- each level re-alerts its own group (``is_alerted_at``): at 上司 every responder,
  at 管理職 the department's 管理職, at 専門部署 the specialist section;
- the caller follows their own call (who is coming, escalations) but is not
  alerted by it;
- whoever follows a call (``may_follow``: the caller and the responders) receives
  its live updates; the caller, the taker and the responders may close it."""

from __future__ import annotations

from accounts import permissions

from .choices import BackupLevel


def may_respond(user, department_id: int | None) -> bool:
    """May be alerted of, and take, a call of this department."""
    return permissions.is_department_responder(user, department_id)


def is_alerted_at(user, department_id: int | None, level: str) -> bool:
    """Is this user among those (re-)alerted when a call of this department reaches ``level``?"""
    if level == BackupLevel.MANAGER:
        return permissions.is_department_manager(user, department_id)
    if level == BackupLevel.SPECIALIST:
        return permissions.is_specialist(user)
    return may_respond(user, department_id)


def is_caller(user, caller_id: int | None) -> bool:
    return permissions.handles_contacts(user) and caller_id is not None and user.pk == caller_id


def may_follow(user, *, department_id: int | None, caller_id: int | None) -> bool:
    """Receives the call's live updates: its caller and its responders."""
    return is_caller(user, caller_id) or may_respond(user, department_id)


def may_resolve(user, call) -> bool:
    return (permissions.handles_contacts(user) and user.pk in (call.caller_id, call.taken_by_id)) or may_respond(
        user, call.department_id
    )


def may_receive_event(user, event: dict) -> bool:
    """The realtime check for every ``backup_call.*`` event (``realtime.registry``),
    made on the reloaded user before each message: an escalation's re-alert goes
    to the new level's group only; every other event about a call to whoever
    follows it. ``backup_call.synced`` is built for the connecting user alone."""
    kind = event.get("kind")
    if kind == "backup_call.synced":
        return permissions.handles_contacts(user)
    call = event.get("call")
    if not isinstance(call, dict):
        return False
    department_id, caller_id = call.get("department_id"), call.get("caller_id")
    if kind == "backup_call.escalated":
        return is_alerted_at(user, department_id, call.get("level")) and not is_caller(user, caller_id)
    return may_follow(user, department_id=department_id, caller_id=caller_id)
