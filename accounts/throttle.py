"""Sign-in throttling: what counts as one account, the device cookie, and the
bound on simultaneous password checks (docs/security/login.md).

- ``account_key``: the account a typed user name reaches. Django's login form
  strips white space (tab and U+3000 included) and folds full-width letters
  (NFKC) before the password is checked, so failures are counted per the
  folded name, case-folded too (directory sign-in ignores case).
- ``device_id_for`` / ``device_cookie_set``: a browser that signed in to an
  account gets a signed cookie naming that account; its attempts are counted
  per device, so failures by others (an attacker, colleagues behind the same
  address) never lock the real user out of the browser they use every day.
- ``password_check_slot``: at most ``MAMORU_LOGIN_CONCURRENT_CHECKS`` password
  hashes are computed at once in one process (Argon2 takes ~100 MiB each); an
  attempt that finds no free slot in ``MAMORU_LOGIN_CHECK_WAIT_SECONDS`` is
  answered at once, without hashing.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import unicodedata

from django.conf import settings
from django.core import signing

DEVICE_COOKIE_SALT = "mamoru.accounts.device"
DEVICE_COOKIE_ACCOUNTS = 10  # accounts remembered per browser (a shared counter PC)


def account_key(username) -> str:
    """The normalised account for a typed user name (what the form and the
    backend resolve, and case-insensitive)."""
    name = unicodedata.normalize("NFKC", str(username or "").strip())
    return unicodedata.normalize("NFKC", name.casefold()).strip()[:150]


# --- The device cookie ---------------------------------------------------------


def _device_entries(request) -> dict[str, str]:
    raw = request.COOKIES.get(settings.MAMORU_LOGIN_DEVICE_COOKIE_NAME)
    if not raw:
        return {}
    try:
        entries = signing.loads(raw, salt=DEVICE_COOKIE_SALT, max_age=settings.MAMORU_LOGIN_DEVICE_COOKIE_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return {}
    if not isinstance(entries, dict):
        return {}
    return {str(key): str(value) for key, value in entries.items() if isinstance(value, str)}


def device_id_for(request, key: str) -> str:
    """The id of this browser's device cookie for the account, or ``""``."""
    return _device_entries(request).get(key, "")


def device_cookie_set(response, *, request, user) -> None:
    """Trust this browser for ``user``'s account after a successful sign-in: the
    signed cookie names the account with this browser's id for it (kept if it
    had one), the accounts signed in most recently first."""
    key = account_key(user.get_username())
    entries = _device_entries(request)
    device = entries.pop(key, "") or secrets.token_hex(16)
    kept = dict(list(entries.items())[-(DEVICE_COOKIE_ACCOUNTS - 1) :])
    kept[key] = device
    response.set_cookie(
        settings.MAMORU_LOGIN_DEVICE_COOKIE_NAME,
        signing.dumps(kept, salt=DEVICE_COOKIE_SALT, compress=True),
        max_age=settings.MAMORU_LOGIN_DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- The bound on simultaneous password checks --------------------------------

_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


def _semaphore() -> threading.BoundedSemaphore:
    global _slots
    size = max(1, settings.MAMORU_LOGIN_CONCURRENT_CHECKS)
    with _slots_lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


@contextlib.contextmanager
def password_check_slot():
    """Yields True with a slot held, or False at once when every slot stayed
    busy for the configured wait (then no password may be checked)."""
    semaphore = _semaphore()
    acquired = semaphore.acquire(timeout=max(0.0, settings.MAMORU_LOGIN_CHECK_WAIT_SECONDS))
    try:
        yield acquired
    finally:
        if acquired:
            semaphore.release()
