"""Writing audit entries. Every service that changes something calls
``audit_record`` inside its transaction; every read of personal data calls
``audit_read``. Each entry is chained by hash to the one before it (``audit.chain``)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from . import chain, context
from .forwarding import forward
from .models import AuditChainHead, AuditEntry

_ADDRESS_FIELD = AuditEntry._meta.get_field("address")
logger = logging.getLogger(__name__)


def _chain_head(*, wait: bool) -> AuditChainHead | None:
    """The end of the chain, locked until the transaction ends (PostgreSQL: a row lock;
    SQLite: mamoru's connections begin every transaction IMMEDIATE, which already holds
    the write lock). Without ``wait``, None when another transaction holds it (PostgreSQL
    SKIP LOCKED). Missing only after the table was emptied (tests flush it): then it is
    made again from the last entry."""
    heads = AuditChainHead.objects.filter(pk=1)
    if not wait and connection.features.has_select_for_update_skip_locked:
        head = heads.select_for_update(skip_locked=True).first()
        if head is not None or heads.exists():
            return head
    else:
        head = heads.select_for_update().first()
        if head is not None:
            return head
    last = AuditEntry.objects.filter(sequence__isnull=False).order_by("-sequence").first()
    return AuditChainHead.objects.create(
        pk=1, sequence=last.sequence if last else 0, entry_hash=last.entry_hash if last else chain.GENESIS
    )


def _link(head: AuditChainHead, entry: AuditEntry) -> None:
    """Give ``entry`` the next number and its hash, and move the head to it."""
    entry.sequence = head.sequence + 1
    entry.previous_hash = head.entry_hash
    entry.entry_hash = chain.entry_hash({name: getattr(entry, name) for name in chain.HASHED_FIELDS})
    head.sequence, head.entry_hash = entry.sequence, entry.entry_hash


def _link_pending(head: AuditChainHead) -> list[AuditEntry]:
    """Chain the committed entries written while another transaction held the head, oldest first."""
    pending = list(AuditEntry.objects.filter(sequence__isnull=True).order_by("id"))
    for entry in pending:
        _link(head, entry)
        entry.save(update_fields=["sequence", "previous_hash", "entry_hash"])
    return pending


def _forward_after_commit(entries: list[AuditEntry]) -> None:
    if settings.MAMORU_AUDIT_SYSLOG and entries:
        transaction.on_commit(lambda: [forward(entry) for entry in entries])


def audit_chain_pending() -> int:
    """Chain the entries written unchained because the head was busy (run after their
    transaction commits; also by the next writer). Returns how many were chained."""
    try:
        with transaction.atomic():
            head = _chain_head(wait=True)
            pending = _link_pending(head)
            if pending:
                head.save(update_fields=["sequence", "entry_hash"])
            _forward_after_commit(pending)
    except DatabaseError:
        logger.exception("audit entries left unchained; the next audit entry chains them")
        return 0
    return len(pending)


def audit_record(
    *,
    actor,
    action: str,
    obj: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Write one audit entry in the caller's transaction, chained by hash to the one
    before it. When another transaction holds the end of the chain (PostgreSQL), the
    entry is written unchained and chained right after this transaction commits, so a
    writer never waits for the chain while it holds locks of its own (no deadlock)."""
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
        created_at=timezone.now(),
    )
    with transaction.atomic():
        head = _chain_head(wait=False)
        if head is None:
            entry.save(force_insert=True)
            transaction.on_commit(audit_chain_pending)
            return entry
        pending = _link_pending(head)
        _link(head, entry)
        entry.save(force_insert=True)
        head.save(update_fields=["sequence", "entry_hash"])
        _forward_after_commit([*pending, entry])
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
