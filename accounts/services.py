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

from .choices import Role
from .models import ApiToken, Department, LoginAttempt, User
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


def login_is_blocked(*, username: str, address: str | None) -> bool:
    """Too many recent failures for this account or this source address."""
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = LoginAttempt.objects.filter(succeeded=False, attempted_at__gte=since)
    if username and failures.filter(username=username.lower()).count() >= settings.LOGIN_FAILURE_LIMIT_ACCOUNT:
        return True
    return bool(address) and failures.filter(address=address).count() >= settings.LOGIN_FAILURE_LIMIT_ADDRESS


@transaction.atomic
def login_attempt_record(*, username: str, address: str | None, succeeded: bool, user=None) -> None:
    if succeeded:
        # A successful sign-in clears the account's earlier failures.
        LoginAttempt.objects.filter(username=username.lower(), succeeded=False).delete()
        audit_record(actor=user, action="accounts.login.succeeded", obj=user)
    else:
        LoginAttempt.objects.create(username=username.lower()[:150], address=address, succeeded=False)
        audit_record(actor=None, actor_name=username[:150], action="accounts.login.failed")
