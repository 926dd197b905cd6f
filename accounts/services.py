"""Users, departments, API tokens and sign-in throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import math
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from . import throttle
from .choices import Role
from .hooks import account_security_changed, login_throttled
from .models import ApiIdempotencyRecord, ApiToken, Department, LoginAttempt, LoginLock, User
from .permissions import handles_contacts, is_administrator, require_administrator

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
    is_service_account: bool = False,
) -> User:
    """``is_service_account``: a 連携用アカウント for another city system, which works through
    API tokens only (it has no password and never signs in on screen)."""
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
        is_service_account=is_service_account,
    )
    if is_service_account and not handles_contacts(user):
        raise ValidationError(_("連携用アカウントには、対応記録を扱う役割（職員など）と所属を設定してください。"))
    user_apply_role(user)
    if is_service_account:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    audit_record(actor=actor, actor_name="system", action="accounts.user.created", obj=user, after={"role": role})
    return user


def _notify_security_change(*, actor, user: User, change: str, text: str) -> None:
    account_security_changed.send(actor=actor, user=user, change=change, text=text)


@transaction.atomic
def user_save_by_admin(*, actor, user: User, changed_fields: list[str]) -> User:
    """Save a user edited on the administration site, keeping role flags in step.

    An administrator never changes their own role (nor, through it, gives themselves a
    role that reads records); a role change is audited with before and after and told
    to the user and to the other administrators."""
    _require_administrator(actor)
    stored = User.objects.filter(pk=user.pk).first() if user.pk else None
    old_role = stored.role if stored else None
    if stored is not None and stored.pk == actor.pk and user.role != old_role:
        raise PermissionDenied(_("自分自身の役割は変更できません。別のシステム管理者に依頼してください。"))
    if stored is not None and stored.pk == actor.pk and user.is_service_account:
        raise PermissionDenied(_("自分自身を連携用アカウントにはできません。"))
    if user.is_service_account and not handles_contacts(user):
        raise ValidationError(_("連携用アカウントには、対応記録を扱う役割（職員など）と所属を設定してください。"))
    if user.is_service_account and user.has_usable_password():
        user.set_unusable_password()  # a service account never signs in on screen
    user_apply_role(user)
    user.save()
    after = {"changed": changed_fields}
    if old_role != user.role:
        after["role"] = user.role
    audit_record(
        actor=actor,
        action="accounts.user.updated" if stored else "accounts.user.created",
        obj=user,
        before={"role": old_role} if stored and old_role != user.role else None,
        after=after,
    )
    labels = dict(Role.choices)
    if stored is not None and old_role != user.role:
        audit_record(
            actor=actor,
            action="accounts.user.role_changed",
            obj=user,
            before={"role": old_role},
            after={"role": user.role},
        )
        _notify_security_change(
            actor=actor,
            user=user,
            change="role_changed",
            text=_("システム管理者「{admin}」が「{username}」の役割を「{old}」から「{new}」に変更しました。").format(
                admin=actor.username,
                username=user.username,
                old=labels.get(old_role, old_role),
                new=labels.get(user.role, user.role),
            ),
        )
    if stored is not None and stored.is_service_account != user.is_service_account:
        _notify_security_change(
            actor=actor,
            user=user,
            change="service_account_changed",
            text=_("システム管理者「{admin}」が「{username}」を{kind}にしました。").format(
                admin=actor.username,
                username=user.username,
                kind=_("連携用アカウント（画面にはログイン不可）") if user.is_service_account else _("通常の利用者"),
            ),
        )
    if stored is None and handles_contacts(user):
        _notify_security_change(
            actor=actor,
            user=user,
            change="created",
            text=_("システム管理者「{admin}」が利用者「{username}」（{role}）を作成しました。").format(
                admin=actor.username, username=user.username, role=labels.get(user.role, user.role)
            ),
        )
    return user


@transaction.atomic
def user_password_reset(*, actor, user: User, password: str | None) -> User:
    """An administrator sets a new password for another member of staff (``None``: no
    password, so the account cannot sign in with one). Audited, and told to the user
    and to the other administrators, so that signing in as someone else never goes
    unseen."""
    _require_administrator(actor)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="accounts.user.password_reset", obj=user, after={"usable": password is not None})
    _notify_security_change(
        actor=actor,
        user=user,
        change="password_reset",
        text=_(
            "システム管理者「{admin}」が「{username}」のパスワードを再設定しました。"
            "心当たりがない場合は、すぐに情報政策担当へ連絡してください。"
        ).format(admin=actor.username, username=user.username),
    )
    return user


@transaction.atomic
def user_set_preferences(*, actor, date_style: str, export_encoding: str) -> None:
    """The user's own display settings: the date style and the CSV encoding of list exports."""
    actor.date_style = date_style
    actor.export_encoding = export_encoding
    actor.save(update_fields=["date_style", "export_encoding"])


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


class TokenRefused(Exception):
    """A known token that may not be used for this request: ``status`` is 401 (expired,
    not yet approved) or 403 (outside its scope or its addresses); the message is Japanese."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _parse_addresses(text: str) -> list[str]:
    """The allow-list as networks (one per line or comma); a Japanese error for anything else."""
    networks = []
    for item in text.replace(",", "\n").splitlines():
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ValidationError(
                {"allowed_addresses": _("「{item}」は IP アドレスとして読み取れません。").format(item=item[:60])}
            ) from None
    return networks


def _address_allowed(token: ApiToken, address: str | None) -> bool:
    networks = [line for line in token.allowed_addresses.splitlines() if line.strip()]
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)


def may_receive_token(*, actor, user: User) -> bool:
    """Tokens go to their own holder, or to a service account (連携用アカウント) when an
    administrator asks; never to another member of staff (who would then be impersonated)."""
    if actor is None:  # the command line: the operator of the server
        return True
    if user.pk == actor.pk:
        return not user.is_service_account
    return user.is_service_account and is_administrator(actor)


@transaction.atomic
def token_issue(
    *,
    actor,
    user: User,
    name: str,
    scope: str = ApiToken.Scope.READ,
    areas: list[str] | tuple[str, ...] = (),
    days: int | None = None,
    allowed_addresses: str = "",
) -> tuple[ApiToken, str]:
    """Issue an API token for ``user``. Returns the token and its key, which is shown
    once and never stored. ``actor=None`` means the command line (the server's operator).

    A token for oneself is usable at once; one for a service account, requested by an
    administrator, waits for a second administrator's approval (``token_approve``)."""
    if actor is not None and not may_receive_token(actor=actor, user=user):
        raise PermissionDenied(
            _("API トークンは本人、または連携用アカウント（システム管理者が申請）にのみ発行できます。")
        )
    if not user.is_active:
        raise ValidationError(_("無効な利用者にはトークンを発行できません。"))
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("権限「{scope}」は存在しません。").format(scope=scope)})
    unknown = [area for area in areas if area not in ApiToken.Area.values]
    if unknown:
        raise ValidationError({"areas": _("対象「{area}」は存在しません。").format(area=unknown[0])})
    max_days = settings.MAMORU_API_TOKEN_MAX_DAYS
    days = max_days if days is None else days
    if not 1 <= days <= max_days:
        raise ValidationError({"days": _("有効期間は1〜{max}日で指定してください。").format(max=max_days)})
    networks = _parse_addresses(allowed_addresses)
    needs_approval = actor is not None and user.pk != actor.pk
    now = timezone.now()
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API",
        prefix=key[: len(TOKEN_PREFIX) + 6],
        key_hash=_hash_key(key),
        created_by=actor or user,
        scope=scope,
        areas=sorted(set(areas)),
        expires_at=now + dt.timedelta(days=days),
        allowed_addresses="\n".join(networks),
        approved_by=None if needs_approval else (actor or user),
        approved_at=None if needs_approval else now,
    )
    summary = {
        "user": user.username,
        "scope": scope,
        "areas": token.areas,
        "expires_at": token.expires_at.isoformat(),
        "allowed_addresses": networks,
    }
    action = "accounts.token.requested" if needs_approval else "accounts.token.issued"
    audit_record(actor=actor, actor_name="command-line", action=action, obj=token, after=summary)
    if needs_approval:
        account_security_changed.send(
            actor=actor,
            user=user,
            change="token_requested",
            text=_(
                "連携用アカウント「{username}」の API トークン「{name}」の発行が申請されました（承認待ち）。"
            ).format(username=user.username, name=token.name),
        )
    return token, key


@transaction.atomic
def token_approve(*, actor, token: ApiToken) -> ApiToken:
    """The second administrator's approval of a token requested for a service account."""
    _require_administrator(actor)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.created_by_id == actor.pk:
        raise PermissionDenied(_("申請した本人は承認できません。別のシステム管理者が承認してください。"))
    if token.revoked_at is not None:
        raise ValidationError(_("失効したトークンは承認できません。"))
    if token.approved_at is None:
        token.approved_by = actor
        token.approved_at = timezone.now()
        token.save(update_fields=["approved_by", "approved_at"])
        audit_record(actor=actor, action="accounts.token.approved", obj=token)
    return token


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """An administrator revokes any token (a declined request too); a holder their own."""
    if token.user_id != getattr(actor, "pk", None):
        _require_administrator(actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.token.revoked", obj=token)
    return token


def token_areas(path: str) -> set[str]:
    """The parts of the API a request path reads or writes: ``/api/residents/1`` → residents,
    ``/api/residents/1/contacts`` → residents and contacts."""
    parts = [part for part in path.split("/") if part]
    return {part for part in parts[1::2] if part in ApiToken.Area.values} if parts[:1] == ["api"] else set()


def token_authenticate(key: str, *, address: str | None = None, write: bool = False, areas: set[str] = frozenset()):
    """The active user owning an unrevoked token with this key, or None for an unknown key.
    Raises ``TokenRefused`` for a known token that may not be used for this request:
    expired or awaiting approval (401), outside its scope or its addresses (403).
    Remembers the last use (time and address)."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__department")
        .filter(key_hash=_hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.approved_at is None:
        raise TokenRefused(401, _("この API トークンは承認待ちです。別のシステム管理者の承認後に使えます。"))
    if token.is_expired:
        raise TokenRefused(401, _("この API トークンは有効期限が切れています。新しいトークンを発行してください。"))
    if not _address_allowed(token, address):
        raise TokenRefused(
            403, _("この API トークンは、このアドレス（{address}）からは使えません。").format(address=address)
        )
    if write and token.scope != ApiToken.Scope.WRITE:
        raise TokenRefused(403, _("この API トークンは参照専用です。登録・更新はできません。"))
    outside = sorted(set(areas) - set(token.areas)) if token.areas else []
    if outside:
        labels = dict(ApiToken.Area.choices)
        raise TokenRefused(
            403,
            _("この API トークンでは「{area}」は扱えません。").format(area="・".join(str(labels[a]) for a in outside)),
        )
    now = timezone.now()
    stale = token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1)
    if stale or token.last_used_address != address:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_address=address)
    token.user.api_token = token
    return token.user


def _failure_cache_key(address: str | None) -> str:
    return f"mamoru:api-token-failures:{address or '-'}"


def token_failures_wait(*, address: str | None) -> int | None:
    """Seconds to wait when this address has failed too often with tokens, else None."""
    limit = settings.MAMORU_API_TOKEN_FAILURE_LIMIT
    entry = cache.get(_failure_cache_key(address))
    if not limit or entry is None:
        return None
    count, until = entry
    remaining = until - time.time()
    if count >= limit and remaining > 0:
        return max(1, math.ceil(remaining))
    return None


def token_failure_record(*, address: str | None) -> None:
    """Count a failed token attempt from this address (unknown, expired, refused key)."""
    window = settings.MAMORU_API_TOKEN_FAILURE_WINDOW_SECONDS
    key = _failure_cache_key(address)
    entry = cache.get(key)
    now = time.time()
    if entry is None or entry[1] <= now:
        entry = (0, now + window)
    cache.set(key, (entry[0] + 1, entry[1]), timeout=window)


# --- Idempotency keys of the API --------------------------------------------------------


@transaction.atomic
def idempotency_claim(*, actor, key: str, fingerprint: str) -> ApiIdempotencyRecord:
    """Claim ``key`` for the actor's request in the caller's transaction (the caller's
    ``transaction.atomic`` must also wrap the work and ``idempotency_complete``). A second
    request with the same key waits for the first one's transaction (the unique row), then
    gets the stored record: ``status`` set means "answer this again"."""
    horizon = timezone.now() - dt.timedelta(hours=settings.MAMORU_API_IDEMPOTENCY_HOURS)
    ApiIdempotencyRecord.objects.filter(user=actor, created_at__lt=horizon).delete()
    try:
        with transaction.atomic():
            return ApiIdempotencyRecord.objects.create(user=actor, key=key, fingerprint=fingerprint)
    except IntegrityError:
        record = ApiIdempotencyRecord.objects.get(user=actor, key=key)
    if record.fingerprint != fingerprint:
        raise ValidationError(
            _("この Idempotency-Key は別の内容のリクエストに使われています。新しいキーを使ってください。")
        )
    return record


def idempotency_complete(*, record: ApiIdempotencyRecord, status: int, body) -> None:
    record.status = status
    record.body = body
    record.save(update_fields=["status", "body"])


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
