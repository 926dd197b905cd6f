"""What notifications does when records (contacts) tells it something happened.
Connected in ``NotificationsConfig.ready()``; records imports nothing of this."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from records.choices import HarassmentJudgement

from .models import Notification
from .services import notification_send

JUDGEMENT_REQUESTED = "records.judgement_requested"

logger = logging.getLogger(__name__)


def judgement_supervisors(contact) -> list[User]:
    """Who decides a contact recorded as 判断に迷う: the supervisors and managers
    of its department; the specialist section where the department has none."""
    active = User.objects.filter(is_active=True)
    supervisors = list(
        active.filter(department_id=contact.department_id, role__in=(Role.SUPERVISOR, Role.MANAGER)).order_by("id")
    )
    return supervisors or list(active.filter(role=Role.SPECIALIST).order_by("id"))


def on_contact_saved(*, actor, contact, created: bool, changed: set[str], **kwargs) -> None:
    """A contact saved as 判断に迷う（上司に相談） asks its supervisors for a decision
    (in the saving transaction: a refused save notifies nobody)."""
    if contact.harassment != HarassmentJudgement.UNSURE or "harassment" not in changed:
        return
    url = reverse("records:contact_judgement", args=[contact.pk])
    recipients = [user for user in judgement_supervisors(contact) if user.pk != actor.pk]
    waiting = set(  # still unread from an earlier save: not asked twice
        Notification.objects.filter(
            user__in=recipients, read_at__isnull=True, kind=JUDGEMENT_REQUESTED, url=url
        ).values_list("user_id", flat=True)
    )
    recipients = [user for user in recipients if user.pk not in waiting]
    if not recipients:
        return
    text = _("{department}の{contact}について判断の相談があります（{actor}、判断に迷う）").format(
        department=contact.department.name, contact=contact, actor=actor.display_name
    )
    notification_send(users=recipients, kind=JUDGEMENT_REQUESTED, text=text, url=url)
    _mail_on_commit(recipients, text, url)


def _mail_on_commit(recipients, text: str, url: str) -> None:
    """The same by e-mail once the save commits, as cases do (the text names no resident)."""
    addresses = sorted({user.email for user in recipients if user.email})
    if not addresses:
        return
    subject = _("【mamoru】{text}").format(text=text)[:200]
    body = _("{text}\n\n内容を確認し、判断を記録してください: {url}\n").format(
        text=text, url=settings.MAMORU_SITE_URL.rstrip("/") + url
    )

    def send():
        try:
            send_mail(subject, body, None, addresses)
        except Exception:  # a mail server outage must not undo the save; the in-app notice stands
            logger.exception("判断の相談のメールを送れませんでした（%s）", url)

    transaction.on_commit(send)


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
