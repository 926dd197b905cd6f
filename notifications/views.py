"""The user's notifications: a list, and opening one marks it read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services


def notification_list(request):
    notifications = selectors.notification_list(user=request.user)
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    unread = selectors.notification_unread_count(user=request.user)
    return render(request, "notifications/notification_list.html", {"page": page, "unread": unread})


@require_POST
def notification_open(request, pk):
    """Mark read and go to what the notification is about."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    """すべて既読にする."""
    count = services.notification_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("{count}件のお知らせを既読にしました。").format(count=count))
    return redirect("notifications:list")
