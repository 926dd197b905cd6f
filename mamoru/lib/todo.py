"""The home page's 「対応が必要なもの」: what each app's to-do panel (``records.home`` slot
``todo``) shares. Pure: the apps read through their own selectors and build these.

An item waits until a day (or a moment): past it, the panel says 「期限超過」 with the
date and lists it first; then the ones due soonest. A panel lists ``HOME_ROWS`` items
at most and links to the full list for the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

HOME_ROWS = 10  # items a panel lists; the rest are counted and reached through the full list
DUE_SOON_DAYS = 7  # a due date this near is listed even before its reminder starts


@dataclass(frozen=True)
class TodoItem:
    """One thing waiting: what it is (``obj``), where to act (``url``), its label, a
    short detail line, and when it is due (a date or an aware datetime; None: no date)."""

    obj: Any
    url: str
    label: str
    detail: str = ""
    due: dt.date | dt.datetime | None = None
    overdue: bool = False
    due_text: str = ""  # what the due date is (「回答期限」「見直し日」); empty: 「期限」

    @property
    def has_time(self) -> bool:
        return isinstance(self.due, dt.datetime)


def is_overdue(due: dt.date | dt.datetime | None, *, now: dt.datetime, today: dt.date) -> bool:
    """Past ``due``: a datetime before now, a date before today (a date is due all day)."""
    if due is None:
        return False
    if isinstance(due, dt.datetime):
        return due < now
    return due < today


def _sort_key(item: TodoItem) -> tuple:
    if item.due is None:
        return (2, dt.datetime.max.replace(tzinfo=dt.UTC))
    due = item.due
    if not isinstance(due, dt.datetime):  # a date is due until the end of that day in the city
        due = dt.datetime.combine(due, dt.time.max, tzinfo=timezone.get_current_timezone())
    return (0 if item.overdue else 1, due)


def by_urgency(items: Iterable[TodoItem]) -> list[TodoItem]:
    """Overdue first (the oldest first), then the soonest due, then those without a date
    (each group keeps the order it came in among equal dates)."""
    return sorted(items, key=_sort_key)


def panel_context(
    items: Iterable[TodoItem], *, total: int | None = None, overdue_count: int | None = None, **extra
) -> dict | None:
    """The context of a to-do panel: the first ``HOME_ROWS`` items by urgency, how many
    there are and how many are overdue (counted from ``items`` unless the caller, who read
    only the first rows, counted them in the database); None (the panel shows nothing)
    when there are none."""
    ordered = by_urgency(items)
    if not ordered:
        return None
    return {
        "items": ordered[:HOME_ROWS],
        "total": max(total or 0, len(ordered)),
        "overdue_count": overdue_count if overdue_count is not None else sum(1 for item in ordered if item.overdue),
        **extra,
    }


def deadline_shown(deadline, today: dt.date) -> bool:
    """Whether a ``mamoru.lib.deadlines.Deadline`` waits on the home page: from the day its
    reminder starts, or once it is ``DUE_SOON_DAYS`` days away, and after it passed."""
    return deadline.is_due_for_reminder(today) or deadline.days_left(today) <= DUE_SOON_DAYS
