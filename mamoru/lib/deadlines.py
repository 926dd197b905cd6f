"""A due date that the law or the policy sets on a piece of work (a deletion request's answer,
a disclosure order before the access logs are gone, the six months for a complaint, a reply
to another business), as the apps answer ``notifications.hooks.deadlines_due``.

Pure: the apps build ``Deadline`` values; ``python -m mamoru deadlines`` lists them, most
urgent first, and sends the reminders that are due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Deadline:
    key: str  # stable, e.g. "online.post:12:disclosure_order" (a reminder is sent once per key and day)
    title: str  # what is due, in Japanese, naming no resident
    due_on: dt.date
    url: str  # where to act
    remind_from: dt.date | None = None  # the first day a reminder goes out (None: the due date itself)
    recipients: tuple = field(default_factory=tuple)  # users told (in-app and by e-mail)
    basis: str = ""  # why this date (e.g. 「情報流通プラットフォーム対処法：おおむね1週間」)

    def is_due_for_reminder(self, today: dt.date) -> bool:
        return today >= (self.remind_from or self.due_on)

    def days_left(self, today: dt.date) -> int:
        return (self.due_on - today).days
