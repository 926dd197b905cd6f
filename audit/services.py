"""Writing audit entries. Every service that changes something calls
``audit_record`` inside its transaction; every read of personal data calls
``audit_read``. Each entry is chained by hash to the one before it (``audit.chain``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import chain, context
from .forwarding import forward
from .models import AuditChainHead, AuditEntry

_ADDRESS_FIELD = AuditEntry._meta.get_field("address")


def _chain_head() -> AuditChainHead:
    """The end of the chain, locked until the writing transaction ends (PostgreSQL: a row
    lock; SQLite: mamoru's connections begin every transaction IMMEDIATE, which holds the
    write lock). Missing only after the table was emptied (tests flush it): then it is
    made again from the last entry."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = AuditEntry.objects.order_by("-sequence").only("sequence", "entry_hash").first()
        head = AuditChainHead.objects.create(
            pk=1, sequence=last.sequence if last else 0, entry_hash=last.entry_hash if last else chain.GENESIS
        )
    return head


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
    entry = AuditEntry(
        actor=actor if authenticated else None,
        actor_name=(actor.username if authenticated else actor_name)[:150],
        address=_ADDRESS_FIELD.get_prep_value(request.address),
        request_id=request.request_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=chain.json_value(before),
        after=chain.json_value(after),
    )
    with transaction.atomic():
        head = _chain_head()
        entry.created_at = timezone.now()
        entry.sequence = head.sequence + 1
        entry.previous_hash = head.entry_hash
        entry.entry_hash = chain.entry_hash({name: getattr(entry, name) for name in chain.HASHED_FIELDS})
        entry.save(force_insert=True)
        head.sequence, head.entry_hash = entry.sequence, entry.entry_hash
        head.save(update_fields=["sequence", "entry_hash"])
        if settings.MAMORU_AUDIT_SYSLOG:
            transaction.on_commit(lambda: forward(entry))
    return entry


def audit_read(
    *, actor, action: str, obj: Any = None, filters: dict | None = None, count: int | None = None
) -> AuditEntry:
    """Record a read of personal data: one object (``obj``), or a list, search or
    export, written as the filters used and how many rows were shown — never the
    rows themselves. Reads are audited as much as changes (issue 13, A5)."""
    shown: dict[str, Any] = {}
    if filters:
        shown["filters"] = {
            str(key): str(value)[:200] for key, value in filters.items() if value not in (None, "", [], ())
        }
    if count is not None:
        shown["count"] = count
    return audit_record(actor=actor, action=action, obj=obj, after=shown or None)
