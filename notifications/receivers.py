"""What notifications does when records (contacts) tells it something happened.
Connected in ``NotificationsConfig.ready()``; records imports nothing of this."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from records.choices import HarassmentJudgement

from .mail import mail_on_commit
from .models import Notification
from .services import notification_send

JUDGEMENT_REQUESTED = "records.judgement_requested"


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
    mail_on_commit(users=recipients, text=text, url=url, request_line=_("内容を確認し、判断を記録してください"))
