"""Forwarding audit entries to the city's log server (syslog) as they are written:
after the transaction that wrote them commits, so a rolled-back change is never
reported (``MAMORU_AUDIT_SYSLOG``). A log server that cannot be reached never stops
the work: the entry stays in the database and a warning is logged."""

from __future__ import annotations

import json
import logging
from functools import lru_cache

from django.conf import settings

from mamoru.lib import syslog

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _target(address: str) -> syslog.SyslogTarget:
    return syslog.SyslogTarget.parse(address)


def entry_message(entry) -> str:
    """The entry as one line of JSON: what it records, its number and its hash, so the
    log server holds a copy the database cannot take back."""
    return json.dumps(
        {
            "sequence": entry.sequence,
            "created_at": entry.created_at.isoformat(),
            "actor": entry.actor_name,
            "address": entry.address,
            "request_id": entry.request_id,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "object_repr": entry.object_repr,
            "before": entry.before,
            "after": entry.after,
            "previous_hash": entry.previous_hash,
            "hash": entry.entry_hash,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def forward(entry) -> None:
    address = settings.MAMORU_AUDIT_SYSLOG
    if not address:
        return
    try:
        target = _target(address)
        payload = syslog.format_message(target, entry_message(entry), msg_id=entry.action)
        syslog.send(target, payload, timeout=settings.MAMORU_AUDIT_SYSLOG_TIMEOUT)
    except (OSError, ValueError) as error:
        logger.warning("audit entry #%s not forwarded to %s: %s", entry.sequence, address, error)
