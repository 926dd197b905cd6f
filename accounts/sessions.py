"""How long a signed-in session lasts (docs/security/login.md).

A session ends after ``SESSION_COOKIE_AGE`` without activity (Django's idle
timeout), ``MAMORU_SESSION_ABSOLUTE_SECONDS`` after signing in however active,
and when its user signs out everywhere (``User.sessions_valid_after``). Pages
check it in ``accounts.middleware.SessionLifetimeMiddleware``; the WebSocket
consumer asks ``sessions_alive`` before each event and every
``MAMORU_REALTIME_SESSION_CHECK_SECONDS``."""

from __future__ import annotations

import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

SIGNED_IN_AT = "mamoru_signed_in_at"


def session_stamp(session) -> None:
    """Remember when the session signed in (called right after ``login()``)."""
    session[SIGNED_IN_AT] = time.time()


def session_end_reason(*, user, signed_in_at) -> str:
    """Why a session of ``user`` signed in at ``signed_in_at`` (epoch seconds) has
    ended: ``"absolute"``, ``"everywhere"``, or ``""`` while it is valid."""
    valid_after = getattr(user, "sessions_valid_after", None)
    if signed_in_at is None and valid_after is None:
        return ""  # not stamped yet: signed in by another view; the middleware stamps it
    try:
        signed_in_at = float(signed_in_at)
    except (TypeError, ValueError):
        signed_in_at = 0.0  # a broken stamp: as old as can be
    if valid_after is not None and signed_in_at < valid_after.timestamp():
        return "everywhere"
    limit = settings.MAMORU_SESSION_ABSOLUTE_SECONDS
    if limit and time.time() - signed_in_at > limit:
        return "absolute"
    return ""


def sessions_alive(connections) -> set[tuple[int, str]]:
    """Of ``connections`` ((user, session key) pairs, users freshly loaded), those whose
    session is still stored, not expired, of that user, and not ended by
    ``session_end_reason``. One query for them all with the database session store."""
    connections = [(user, key) for user, key in connections if user is not None and key]
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore()
    data_by_key: dict[str, dict] = {}
    keys = {key for _user, key in connections}
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        from django.contrib.sessions.models import Session

        for row in Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()):
            data_by_key[row.session_key] = store.decode(row.session_data)
    else:
        for key in keys:
            other = engine.SessionStore(session_key=key)
            if other.exists(key):
                data_by_key[key] = other.load()
    alive = set()
    for user, key in connections:
        data = data_by_key.get(key)
        if data is None or str(data.get(SESSION_KEY)) != str(user.pk):
            continue
        if not session_end_reason(user=user, signed_in_at=data.get(SIGNED_IN_AT)):
            alive.add((user.pk, key))
    return alive
