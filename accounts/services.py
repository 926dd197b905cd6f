"""Users, departments, API tokens and sign-in throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from . import throttle
from .choices import Role
from .hooks import login_throttled
from .models import ApiToken, Department, LoginAttempt, LoginLock, User
from .permissions import require_administrator

TOKEN_PREFIX = "mamoru_"


def _require_administrator(actor) -> None:
    require_administrator(actor, _("この操作はシステム管理者のみ行えます。"))


def user_apply_role(user: User) -> None:
    """Administrators use Django's admin site; nobody else does."""
    user.is_staff = user.role == Role.ADMINISTRATOR
    user.is_superuser = user.role == Role.ADMINISTRATOR


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    role: str,
    department: Department | None,
    full_name: str = "",
    full_name_kana: str = "",
    workplace: str = "",
) -> User:
    if actor is not None:
        _require_administrator(actor)
    if role not in Role.values:
        raise ValidationError({"role": _("役割「{role}」は存在しません。").format(role=role)})
    if role != Role.ADMINISTRATOR and department is None:
        raise ValidationError({"department": _("所属を選択してください。")})
    user = User(
        username=username,
        role=role,
        department=department,
        full_name=full_name,
        full_name_kana=full_name_kana,
        workplace=workplace,
    )
    user_apply_role(user)
    user.set_password(password)
    user.save()
    audit_record(actor=actor, actor_name="system", action="accounts.user.created", obj=user, after={"role": role})
    return user


@transaction.atomic
def user_save_by_admin(*, actor, user: User, changed_fields: list[str]) -> User:
    """Save a user edited on the administration site, keeping role flags in step."""
    _require_administrator(actor)
    user_apply_role(user)
    user.save()
    audit_record(actor=actor, action="accounts.user.updated", obj=user, after={"changed": changed_fields})
    return user


@transaction.atomic
def user_set_date_style(*, actor, date_style: str) -> None:
    actor.date_style = date_style
    actor.save(update_fields=["date_style"])


@transaction.atomic
def user_sign_out_everywhere(*, actor) -> None:
    """End every session of the actor, on every device, this one included (pages at
    their next request, open WebSockets at their next check: ``accounts.sessions``)."""
    actor.sessions_valid_after = timezone.now()
    actor.save(update_fields=["sessions_valid_after"])
    audit_record(actor=actor, action="accounts.session.signed_out_everywhere", obj=actor)


@transaction.atomic
def department_save_by_admin(*, actor, department: Department, created: bool) -> Department:
    _require_administrator(actor)
    department.save()
    action = "accounts.department.created" if created else "accounts.department.updated"
    audit_record(actor=actor, action=action, obj=department)
    return department


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_issue(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue an API token for ``user``. Returns the token and its key, which is
    shown once and never stored. ``actor=None`` means the command line."""
    if actor is not None:
        _require_administrator(actor)
    if not user.is_active:
        raise ValidationError(_("無効な利用者にはトークンを発行できません。"))
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API",
        prefix=key[: len(TOKEN_PREFIX) + 6],
        key_hash=_hash_key(key),
        created_by=actor or user,
    )
    audit_record(actor=actor, actor_name="command-line", action="accounts.token.issued", obj=token)
    return token, key


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    _require_administrator(actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.token.revoked", obj=token)
    return token


def token_authenticate(key: str) -> User | None:
    """The active user owning an unrevoked token with this key, or None."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__department")
        .filter(key_hash=_hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class LoginRefused(Exception):
    """A sign-in attempt refused before its password was checked. ``reason``:
    ``"account"`` (too many failures for the account from unknown browsers),
    ``"device"`` (too many from this trusted browser), ``"address"`` (too many from
    the source address, unknown browsers only) or ``"busy"`` (every password-check
    slot of the process is in use)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _lock(key: str) -> None:
    """Serialise the attempts on one account or address (a row lock on PostgreSQL;
    SQLite's IMMEDIATE transactions are serialised already)."""
    LoginLock.objects.select_for_update().get_or_create(key=key[:200])


def login_attempt_reserve(*, username: str, address: str | None, device: str = "") -> LoginAttempt:
    """Count the recent failures and, under the limits, record this attempt as a
    failure *before* its password is checked, in one transaction with the
    account (and address) locked: simultaneous attempts are counted one after
    the other, so no more than the limit are ever checked. Over a limit, audits
    ``accounts.login.blocked`` and raises ``LoginRefused``.

    ``device``: the browser's device-cookie id for this account. A trusted
    browser has a limit of its own and is not held back by the failures of
    other browsers, for the account or from its address (docs/security/login.md)."""
    key = throttle.account_key(username)
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    refused = ""
    with transaction.atomic():
        _lock(f"account:{key}")
        if address and not device:
            _lock(f"address:{address}")
        LoginAttempt.objects.filter(username=key, attempted_at__lt=since).delete()  # counted no more (audited)
        failures = LoginAttempt.objects.filter(succeeded=False, attempted_at__gte=since)
        if device:
            checks = [("device", failures.filter(username=key, device=device), settings.LOGIN_FAILURE_LIMIT_DEVICE)]
        else:
            checks = [("account", failures.filter(username=key, device=""), settings.LOGIN_FAILURE_LIMIT_ACCOUNT)]
            if address:
                by_address = failures.filter(address=address, device="")
                checks.append(("address", by_address, settings.LOGIN_FAILURE_LIMIT_ADDRESS))
        counts = {}
        for kind, queryset, limit in checks:
            counts[kind] = queryset.count()
            if counts[kind] >= limit:
                refused = kind
                break
        else:
            attempt = LoginAttempt.objects.create(username=key, address=address, device=device, succeeded=False)
    if refused:
        audit_record(actor=None, actor_name=str(username)[:150], action="accounts.login.blocked")
        raise LoginRefused(refused)
    return attempt


@transaction.atomic
def login_attempt_settle(*, attempt: LoginAttempt, username: str, succeeded: bool, user=None) -> None:
    """After the password check: a success marks the reserved attempt succeeded and
    clears the earlier failures of the same browser kind (trusted device or unknown);
    a failure stays counted and is audited."""
    if succeeded:
        LoginAttempt.objects.filter(pk=attempt.pk).update(succeeded=True)
        LoginAttempt.objects.filter(username=attempt.username, device=attempt.device, succeeded=False).delete()
        audit_record(actor=user, action="accounts.login.succeeded", obj=user)
    else:
        audit_record(actor=None, actor_name=str(username)[:150], action="accounts.login.failed")
        _alert_when_a_limit_is_reached(attempt)


def _alert_when_a_limit_is_reached(attempt: LoginAttempt) -> None:
    """The failure that reaches a limit tells the apps that alert the administrators."""
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = LoginAttempt.objects.filter(succeeded=False, attempted_at__gte=since)
    if attempt.device:
        lanes = [
            ("device", failures.filter(username=attempt.username, device=attempt.device), "LOGIN_FAILURE_LIMIT_DEVICE")
        ]
    else:
        lanes = [("account", failures.filter(username=attempt.username, device=""), "LOGIN_FAILURE_LIMIT_ACCOUNT")]
        if attempt.address:
            lanes.append(
                ("address", failures.filter(address=attempt.address, device=""), "LOGIN_FAILURE_LIMIT_ADDRESS")
            )
    for kind, queryset, setting in lanes:
        limit = getattr(settings, setting)
        if queryset.count() == limit:
            account = "" if kind == "address" else attempt.username
            login_throttled.send(kind=kind, account=account, address=attempt.address, count=limit)


def login_attempt_release(*, attempt: LoginAttempt) -> None:
    """Forget a reserved attempt whose password was never checked (no free slot)."""
    LoginAttempt.objects.filter(pk=attempt.pk).delete()
