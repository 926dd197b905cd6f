"""The due dates the apps track (``notifications.hooks.deadlines_due``), collected, most
urgent first, and the reminders that are due sent once per key and day (in-app and by
e-mail): what ``python -m mamoru deadlines`` runs daily."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from mamoru.lib.deadlines import Deadline

from .hooks import deadlines_due
from .mail import mail_on_commit
from .models import DeadlineReminder
from .services import notification_send


def deadlines_collect(*, today: dt.date) -> list[Deadline]:
    """Every app's open due dates, most urgent first."""
    found: list[Deadline] = []
    for answer in deadlines_due.collect(today=today):
        found.extend(answer)
    return sorted(found, key=lambda d: (d.due_on, d.key))


def reminder_text(deadline: Deadline, today: dt.date) -> str:
    left = deadline.days_left(today)
    if left < 0:
        when = _("期限を{n}日過ぎています").format(n=-left)
    elif left == 0:
        when = _("今日が期限です")
    else:
        when = _("期限まであと{n}日（{date}）").format(n=left, date=deadline.due_on.isoformat())
    return f"{deadline.title}: {when}"


def deadlines_remind(*, today: dt.date, deadlines: list[Deadline] | None = None) -> list[DeadlineReminder]:
    """Send the reminders due today that were not sent today; returns those sent."""
    sent = []
    for deadline in deadlines if deadlines is not None else deadlines_collect(today=today):
        if not deadline.is_due_for_reminder(today) or not deadline.recipients:
            continue
        text = reminder_text(deadline, today)[:300]
        try:
            with transaction.atomic():
                reminder = DeadlineReminder.objects.create(
                    key=deadline.key[:200],
                    sent_on=today,
                    due_on=deadline.due_on,
                    text=text,
                    recipients=len({u.pk for u in deadline.recipients}),
                )
                notification_send(users=deadline.recipients, kind="deadline", text=text, url=deadline.url)
                mail_on_commit(
                    users=deadline.recipients,
                    text=text,
                    url=deadline.url,
                    request_line=_("期限までに対応してください"),
                )
                audit_record(
                    actor=None,
                    actor_name="deadlines",
                    action="notifications.deadlines.reminded",
                    obj=reminder,
                    after={"key": deadline.key, "due_on": deadline.due_on.isoformat(), "basis": deadline.basis},
                )
        except IntegrityError:  # another run sent it today
            continue
        sent.append(reminder)
    return sent
