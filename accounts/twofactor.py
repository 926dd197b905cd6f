"""Two-factor sign-in (issue 13 B1) on django-otp: a TOTP device (an authenticator app)
and a static device holding the recovery codes (回復コード), each code good once.

A user of a role in ``MAMORU_OTP_REQUIRED_ROLES`` must enrol and then give a code
after the password on every sign-in; anyone else may enrol, and then must give it
too. The secret of a device being enrolled waits in the session until the user
has typed a code from it, so drawing the enrolment page writes nothing.

The questions (``second_factor_required``, ``signin_is_recent``) read the session's
sign-in times, written by ``signin_record_*``: the password sign-in (any
``django.contrib.auth.login``, through ``user_logged_in``), the code, and the
second sign-in before exports and administration (``accounts.signin_views.reauthenticate``)."""

from __future__ import annotations

import logging
import time
from binascii import unhexlify

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from audit.services import audit_record

from .hooks import account_security_changed
from .permissions import require_administrator

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "認証アプリ"
RECOVERY_DEVICE_NAME = "回復コード"

# Session keys.
SIGNED_IN_AT = "mamoru_signed_in_at"  # the password, at sign-in or on the second sign-in (epoch seconds)
SECOND_FACTOR_AT = "mamoru_second_factor_at"  # the code, at sign-in or on the second sign-in
ENROLLED = "mamoru_otp_enrolled"  # the user had a device when signing in
PENDING_KEY = "mamoru_otp_pending_key"  # the secret being enrolled (hex)
NEW_CODES = "mamoru_otp_new_codes"  # recovery codes to show once


# --- questions -----------------------------------------------------------------------------


def role_requires_second_factor(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in settings.MAMORU_OTP_REQUIRED_ROLES


def is_enrolled(user) -> bool:
    """Has a confirmed authenticator app (recovery codes alone are no enrolment)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def second_factor_required(request) -> bool:
    """This session's user must give a code before using the app."""
    user = request.user
    return role_requires_second_factor(user) or bool(request.session.get(ENROLLED))


def session_owes_second_factor(user, session) -> bool:
    """For a connection without OTPMiddleware (the WebSocket): this session signed in with
    the password but has not yet given the code it owes."""
    required = role_requires_second_factor(user) or bool(session is not None and session.get(ENROLLED))
    return required and not (session is not None and session.get(DEVICE_ID_SESSION_KEY))


def second_factor_done(request) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def signin_is_recent(request) -> bool:
    """The password (and the code, for a user with a second factor) were given within
    ``MAMORU_STEP_UP_MINUTES``: exports and administration go ahead without asking again."""
    minutes = settings.MAMORU_STEP_UP_MINUTES
    if minutes <= 0:
        return True
    oldest_allowed = time.time() - minutes * 60
    if request.session.get(SIGNED_IN_AT, 0) < oldest_allowed:
        return False
    if second_factor_required(request) or second_factor_done(request):
        return request.session.get(SECOND_FACTOR_AT, 0) >= oldest_allowed
    return True


def pending_key(request) -> str:
    """The secret shown on the enrolment page: the same one until enrolment ends."""
    key = request.session.get(PENDING_KEY)
    if not key:
        key = default_key()
        request.session[PENDING_KEY] = key
    return key


def provisioning_uri(*, user, key: str) -> str:
    """The otpauth:// address the QR code carries (what an authenticator app reads)."""
    return TOTPDevice(user=user, key=key, name=TOTP_DEVICE_NAME).config_url


def secret_for_typing(key: str) -> str:
    """The secret in base32, in groups of four, for typing it into the app by hand."""
    from base64 import b32encode

    text = b32encode(unhexlify(key)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _clean_code(code: str) -> str:
    return "".join(str(code).split()).replace("-", "").lower()


# --- session bookkeeping (not domain state: the session's own clock) -------------------------


def signin_record_password(request, user) -> None:
    request.session[SIGNED_IN_AT] = time.time()
    request.session[ENROLLED] = user_has_device(user)
    request.session.pop(SECOND_FACTOR_AT, None)


def signin_record_second_factor(request) -> None:
    request.session[SECOND_FACTOR_AT] = time.time()


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """Every sign-in (the login page, the test client's force_login) starts the session's clock."""
    if request is not None and hasattr(request, "session"):
        signin_record_password(request, user)


# --- services --------------------------------------------------------------------------------


def _new_recovery_codes(device: StaticDevice) -> list[str]:
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def otp_device_enrol(*, actor, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Enrol the actor's authenticator app once a code from it matches ``key``; replaces any
    earlier app. Returns the device and the new recovery codes (shown once)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("ログインしてください。"))
    code = _clean_code(code)
    if not code.isdigit() or len(code) != 6:
        raise ValidationError({"code": _("認証アプリに表示された6桁の数字を入力してください。")})
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=1):
        raise ValidationError(
            {"code": _("コードが一致しません。端末の時刻が正しいか確かめ、新しいコードを入力してください。")}
        )
    TOTPDevice.objects.filter(user=actor).delete()
    device = TOTPDevice.objects.create(
        user=actor, key=key, name=TOTP_DEVICE_NAME, confirmed=True, last_t=totp.t(), drift=totp.drift
    )
    recovery, _created = StaticDevice.objects.get_or_create(
        user=actor, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    codes = _new_recovery_codes(recovery)
    audit_record(actor=actor, action="accounts.otp.enrolled", obj=actor)
    return device, codes


@transaction.atomic
def otp_recovery_codes_regenerate(*, actor) -> list[str]:
    """New recovery codes for the actor; the old ones stop working."""
    if not getattr(actor, "is_authenticated", False) or not is_enrolled(actor):
        raise ValidationError(_("二要素認証を登録していません。"))
    recovery, _created = StaticDevice.objects.get_or_create(
        user=actor, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    codes = _new_recovery_codes(recovery)
    audit_record(actor=actor, action="accounts.otp.recovery_regenerated", obj=actor)
    return codes


@transaction.atomic
def otp_devices_remove(*, actor) -> None:
    """The actor turns their own second factor off (only where their role does not require it)."""
    if role_requires_second_factor(actor):
        raise PermissionDenied(_("あなたの役割では二要素認証が必須のため、解除できません。"))
    removed = _delete_devices(actor)
    audit_record(actor=actor, action="accounts.otp.removed", obj=actor, before={"devices": removed})


def _delete_devices(user) -> int:
    removed = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        removed += 1
    return removed


@transaction.atomic
def otp_devices_reset(*, actor, user) -> int:
    """An administrator removes every device of ``user`` (a lost phone and lost codes): the
    user enrols again at their next sign-in. Audited, and the user is told in the app and by
    e-mail when they have an address (``account_security_changed``)."""
    require_administrator(actor, _("二要素認証のリセットはシステム管理者のみ行えます。"))
    removed = _delete_devices(user)
    audit_record(actor=actor, action="accounts.otp.reset", obj=user, before={"devices": removed})
    text = _(
        "システム管理者（{admin}）があなたの二要素認証をリセットしました。次回ログイン時に再登録してください。"
        "心当たりがない場合はすぐに情報セキュリティ担当へ連絡してください。"
    ).format(admin=actor.display_name)
    account_security_changed.send(actor=actor, user=user, change="otp_reset", text=text)
    return removed


@transaction.atomic
def otp_verify(*, user, code: str):
    """The device that accepts ``code`` (the app's six digits or a recovery code), or ``None``.
    Audited either way; django-otp slows repeated failures per device."""
    code = _clean_code(code)
    device = None
    if code:
        for candidate in _device_kind(code).objects.devices_for_user(user, confirmed=True).select_for_update():
            if candidate.verify_token(code):
                device = candidate
                break
    if device is None:
        audit_record(actor=user, action="accounts.otp.failed", obj=user)
    elif isinstance(device, StaticDevice):
        audit_record(
            actor=user, action="accounts.otp.recovery_used", obj=user, after={"left": recovery_codes_left(user)}
        )
    else:
        audit_record(actor=user, action="accounts.otp.verified", obj=user)
    return device


def _device_kind(code: str):
    """Six digits are the app's code; anything else, a recovery code (eight characters)."""
    return TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice


def otp_throttled(user, code: str) -> bool:
    """The devices this code would be checked against are waiting out django-otp's delay
    after failures (the delay doubles with each failure)."""
    devices = list(_device_kind(_clean_code(code)).objects.devices_for_user(user, confirmed=True))
    return bool(devices) and all(not device.verify_is_allowed()[0] for device in devices)


def unregister_device_admin() -> None:
    """Django's admin keeps users and departments only: the devices (and their secrets) are
    managed on the app's own pages."""
    from django.contrib import admin

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
