"""Sending and reading in-app notifications."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from .models import Notification


def notification_send(*, users, kind: str, text: str, url: str = "") -> list[Notification]:
    """One notification per user. Called by other services inside their
    transaction (their audit entry records why), so it writes none itself."""
    unique = {user.pk: user for user in users}.values()
    return Notification.objects.bulk_create(
        Notification(user=user, kind=kind, text=text[:300], url=url[:300]) for user in unique
    )


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (a second call changes nothing)."""
    if notification.user_id != actor.pk:
        raise PermissionDenied(_("このお知らせを扱う権限がありません。"))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(actor=actor, action="notifications.notification.read", obj=notification)
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read (すべて既読にする); returns how many."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("このお知らせを扱う権限がありません。"))
    count = Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        audit_record(actor=actor, action="notifications.notification.all_read", after={"count": count})
    return count
