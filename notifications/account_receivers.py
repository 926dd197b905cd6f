"""What notifications does when accounts says an administrator changed who can act as a
user (a password reset, a role change, a new account, a token requested for a service
account). Connected in ``NotificationsConfig.ready()``; accounts imports nothing of this."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User

from .mail import mail_on_commit
from .services import notification_send

ACCOUNT_SECURITY = "accounts.security_changed"


def on_account_security_changed(*, actor, user, change, text, **kwargs) -> None:
    """The user (unless a service account, which reads nothing) and every other active
    administrator are told, so that no administrator acts on an account unseen; the user
    by e-mail too, for a change they must know of even before signing in again."""
    others = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).exclude(pk=actor.pk)
    recipients = list(others)
    if not user.is_service_account and user.pk != actor.pk:
        recipients.append(user)
        mail_on_commit(
            users=[user],
            text=text,
            url="",
            request_line=_("心当たりがない場合は情報セキュリティ担当へ連絡してください"),
        )
    notification_send(users=recipients, kind=ACCOUNT_SECURITY, text=text)


LOGIN_THROTTLED = "accounts.login_throttled"


def on_login_throttled(*, kind: str, account: str, address: str | None, count: int, **kwargs) -> None:
    """A burst of failed sign-ins reached a limit: tell every active administrator
    (login stream, issue 13 A7), who can check the audit log and call the user."""
    window = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
    where = address or _("不明")
    if kind == "address":
        text = _("接続元 {address} から、{minutes}分間に{count}回ログインに失敗しました。").format(
            address=where, minutes=window, count=count
        )
    elif kind == "device":
        text = _(
            "利用者「{account}」のいつもの端末（接続元 {address}）で、{minutes}分間に{count}回ログインに失敗しました。"
        ).format(account=account, address=where, minutes=window, count=count)
    else:
        text = _(
            "利用者「{account}」へのログインに、ログインしたことのない端末から{minutes}分間に{count}回失敗しました"
            "（最後の接続元 {address}）。その端末からのログインを一時制限しています。"
        ).format(account=account, address=where, minutes=window, count=count)
    administrators = User.objects.filter(is_active=True, role=Role.ADMINISTRATOR).order_by("id")
    notification_send(users=administrators, kind=LOGIN_THROTTLED, text=text, url=reverse("audit:audit_list"))
