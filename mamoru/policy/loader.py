"""Which policy pack is in force.

The file named by ``settings.MAMORU_POLICY_PACK`` is the default; a pack an
administrator activated in the app (``PolicyPackRevision``) takes precedence.
The result is cached per process and re-checked every few seconds so that
all server processes follow an activation.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from .schema import PolicyPack, parse_pack

CHECK_SECONDS = 5.0


@functools.lru_cache(maxsize=8)
def load_file(path: str) -> PolicyPack:
    return parse_pack(Path(path).read_text(encoding="utf-8"))


class _State:
    pack: PolicyPack | None = None
    key: tuple | None = None
    checked: float = 0.0


_state = _State()


def _active_revision() -> tuple[int, str] | None:
    from .models import PolicyPackRevision

    try:
        row = PolicyPackRevision.objects.filter(is_active=True).values_list("id", "source").first()
    except DatabaseError:  # before the first migration
        return None
    return row


def current() -> PolicyPack:
    """The policy pack in force now."""
    now = time.monotonic()
    path = settings.MAMORU_POLICY_PACK
    if _state.pack is not None and _state.key and _state.key[0] == path and now - _state.checked < CHECK_SECONDS:
        return _state.pack
    revision = _active_revision()
    key = (path, revision[0] if revision else None)
    if key != _state.key or _state.pack is None:
        _state.pack = parse_pack(revision[1]) if revision else load_file(path)
        _state.key = key
    _state.checked = now
    return _state.pack


def reset_cache() -> None:
    _state.pack = None
    _state.key = None
    _state.checked = 0.0
