"""Reading notifications: a user only ever sees their own."""

from django.db.models import QuerySet
from django.http import Http404

from .models import Notification


def notification_list(*, user) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def notification_unread_count(*, user, up_to: int | None = None) -> int:
    """Unread notifications; with ``up_to``, counting stops there (the header
    shows 99+ rather than counting thousands of rows on every page)."""
    unread = notification_list(user=user).filter(read_at__isnull=True).order_by()
    return (unread[:up_to] if up_to else unread).count()


def notification_get(*, user, pk) -> Notification:
    try:
        return notification_list(user=user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("お知らせが見つかりません。") from exc
