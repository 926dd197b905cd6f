"""Writing audit entries. Every service that changes something calls
``audit_record`` inside its transaction."""

from __future__ import annotations

from typing import Any

from . import context
from .models import AuditEntry


def audit_record(
    *,
    actor,
    action: str,
    obj: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    actor_name: str = "",
) -> AuditEntry:
    request = context.current()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_name=(actor.username if authenticated else actor_name)[:150],
        address=request.address,
        request_id=request.request_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
    )


def audit_read(
    *, actor, action: str, obj: Any = None, filters: dict | None = None, count: int | None = None
) -> AuditEntry:
    """Record a read of personal data: one object (``obj``), or a list, search or
    export, written as the filters used and how many rows were shown — never the
    rows themselves. Reads are audited as much as changes (issue 13, A5)."""
    shown: dict[str, Any] = {}
    if filters:
        shown["filters"] = {key: str(value) for key, value in filters.items() if value not in (None, "", [], ())}
    if count is not None:
        shown["count"] = count
    return audit_record(actor=actor, action=action, obj=obj, after=shown or None)
