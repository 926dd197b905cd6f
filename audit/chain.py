"""The hash chain that makes the audit log tamper-evident (issue 13, B3).

Every entry carries a running number (``sequence``), the hash of the entry before
it (``previous_hash``) and its own hash: SHA-256 over a canonical serialisation of
what it records plus ``previous_hash``. Changing an entry breaks its own hash (or,
if the attacker recomputes it, the next entry's link); deleting one leaves a gap in
the numbers; deleting the last ones leaves the chain shorter than its head
(``AuditChainHead``) says. ``python -m mamoru audit-verify`` checks all of it.

Pure functions over plain values: the migration that chains existing entries uses
the same ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

# What an entry's hash covers, in this order. ``actor_id`` is left out on purpose: deleting a
# user sets it to NULL (the copied ``actor_name`` is covered and is what the log shows).
HASHED_FIELDS = (
    "sequence",
    "created_at",
    "actor_name",
    "address",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "previous_hash",
)
GENESIS = ""  # the previous hash of entry 1


def json_value(value: Any) -> Any:
    """``before``/``after`` as the database gives them back (tuples → lists, keys → text)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False))


def _timestamp(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds")


def canonical(values: dict[str, Any]) -> bytes:
    """The bytes an entry's hash is computed over: JSON, keys sorted, no spaces, UTF-8."""
    data = {name: values.get(name) for name in HASHED_FIELDS}
    data["created_at"] = _timestamp(data["created_at"])
    for name in ("actor_name", "request_id", "action", "object_type", "object_id", "object_repr", "previous_hash"):
        data[name] = data[name] or ""
    data["address"] = data["address"] or None
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def entry_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()
