"""A real signed-in session (stored, stamped) for tests that connect a WebSocket
with ``WebsocketCommunicator``, as ``AuthMiddlewareStack`` would give the consumer."""

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from accounts.sessions import session_stamp


def signed_in_session(user) -> SessionStore:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.UserBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session_stamp(session)
    session.save()
    return session
