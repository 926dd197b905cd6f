"""What travels over /ws/events/, and who may receive it: each app registers its own.

realtime is transport only: it knows no domain app. An app that pushes events
registers, in its ``AppConfig.ready()``:

- each kind of event it sends, exactly (``"case.reported"``) or as a prefix ending
  in a dot (``"backup_call."``), with the permission check for it:
  ``may_receive(user, event) -> bool``. The consumer calls it before sending each
  message, with the user reloaded from the database, so a user deactivated or
  moved to another department stops receiving at once. It runs on the event loop
  for every connection, so it must decide from the user and the event's own data
  (department id, caller id…) without querying the database;
- optionally what a connecting page must be sent first (``on_connect(user) ->
  list[dict]``, run in a worker thread, may read the database through the app's
  selectors): what is pending, so a page that was offline loses nothing.

An event whose kind nobody registered reaches no one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Check = Callable[[object, dict], bool]
OnConnect = Callable[[object], list[dict]]


@dataclass(frozen=True)
class EventKind:
    kind: str  # "case.reported", or a prefix such as "backup_call."
    may_receive: Check

    @property
    def is_prefix(self) -> bool:
        return self.kind.endswith(".")

    def matches(self, kind: str) -> bool:
        return kind.startswith(self.kind) if self.is_prefix else kind == self.kind


_kinds: dict[str, EventKind] = {}
_on_connect: list[OnConnect] = []


def register_event(kind: str, *, may_receive: Check) -> None:
    """Declare a kind of event (or a prefix ending in ".") and who may receive it."""
    if not kind or kind == ".":
        raise ValueError("an event kind or a prefix such as 'backup_call.' is needed")
    existing = _kinds.get(kind)
    if existing is not None and existing.may_receive is not may_receive:
        raise ValueError(f"event kind {kind!r} is already registered")
    _kinds[kind] = EventKind(kind=kind, may_receive=may_receive)


def register_on_connect(send: OnConnect) -> None:
    """Add what a connecting page is sent first (events, in order)."""
    if send not in _on_connect:
        _on_connect.append(send)


def kind_for(kind: str) -> EventKind | None:
    """The registration that covers ``kind``: the exact kind, else the longest prefix."""
    if kind in _kinds and not _kinds[kind].is_prefix:
        return _kinds[kind]
    prefixes = [entry for entry in _kinds.values() if entry.is_prefix and entry.matches(kind)]
    return max(prefixes, key=lambda entry: len(entry.kind)) if prefixes else None


def may_receive(user, event: dict) -> bool:
    """May this (freshly loaded) user receive this event? Nobody, for a kind no app registered."""
    if user is None or not getattr(user, "is_active", False):
        return False
    entry = kind_for(str(event.get("kind", "")))
    if entry is None:
        return False
    return bool(entry.may_receive(user, event))


def connect_events(user) -> list[dict]:
    """Everything a page of this user is sent when it connects, each app's in turn,
    filtered by the same checks as live events."""
    events = []
    for send in _on_connect:
        events.extend(event for event in send(user) if may_receive(user, event))
    return events


def registered() -> list[str]:
    return sorted(_kinds)
