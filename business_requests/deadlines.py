"""The due dates of open requests, answering ``notifications.hooks.deadlines_due``.

- the hearing of the staff member concerned: ``MAMORU_BUSINESS_REQUEST_HEARING_DAYS`` days
  after the request was received (while staff are named and nobody has been heard);
- the answer to the business: ``MAMORU_BUSINESS_REQUEST_REPLY_DAYS`` days after it was received.
Reminders start ``MAMORU_BUSINESS_REQUEST_REMIND_DAYS`` days before and go to the handler (or the
specialist section when nobody is assigned)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from mamoru.lib.deadlines import Deadline

from .models import BusinessRequest


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def request_deadlines(request: BusinessRequest, *, recipients: tuple = ()) -> list[Deadline]:
    """The open due dates of one request (none once it is closed)."""
    if request.closed_on is not None:
        return []
    remind = dt.timedelta(days=_days("MAMORU_BUSINESS_REQUEST_REMIND_DAYS", 3))
    url = reverse("business_requests:detail", args=[request.pk])
    found: list[Deadline] = []
    if not request.outcome and request.staff.exists() and not request.hearings.exists():
        due = request.received_on + dt.timedelta(days=_days("MAMORU_BUSINESS_REQUEST_HEARING_DAYS", 14))
        found.append(
            Deadline(
                key=f"business_requests.request:{request.pk}:hearing",
                title="他事業者からの申入れ：対象職員の聴取",
                due_on=due,
                url=url,
                remind_from=due - remind,
                recipients=recipients,
                basis="申入れの受付から聴取までの目安（設定値）",
            )
        )
    if request.reply_sent_on is None:
        due = request.received_on + dt.timedelta(days=_days("MAMORU_BUSINESS_REQUEST_REPLY_DAYS", 30))
        found.append(
            Deadline(
                key=f"business_requests.request:{request.pk}:reply",
                title="他事業者からの申入れ：事業者への回答",
                due_on=due,
                url=url,
                remind_from=due - remind,
                recipients=recipients,
                basis="労働施策総合推進法（令和8年10月施行）に基づく協力：回答までの目安（設定値）",
            )
        )
    return found


def next_due(request: BusinessRequest) -> dt.date | None:
    dates = [deadline.due_on for deadline in request_deadlines(request)]
    return min(dates) if dates else None


def business_request_deadlines(*, today=None, **kwargs) -> list[Deadline]:
    specialists = tuple(User.objects.filter(role=Role.SPECIALIST, is_active=True))
    found: list[Deadline] = []
    for request in BusinessRequest.objects.filter(closed_on__isnull=True).select_related("handler"):
        recipients = (request.handler,) if request.handler_id else specialists
        found.extend(request_deadlines(request, recipients=recipients))
    return found
