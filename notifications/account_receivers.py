"""What notifications does when accounts says an administrator changed who can act as a
user (a password reset, a role change, a new account, a token requested for a service
account). Connected in ``NotificationsConfig.ready()``; accounts imports nothing of this."""

from __future__ import annotations

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
