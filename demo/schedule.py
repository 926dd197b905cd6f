"""When demo contacts happen: weekdays in office hours mostly, busier on
Mondays and in each department's season (moves in March and April, tax
notices in June…). Mail and letters also arrive on closed days.

Days are handed out in order, so that record numbers follow the calendar as
they do in a real system.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

OFFICE_OPENS = 8 * 60 + 30  # 8:30
OFFICE_CLOSES = 17 * 60 + 15  # 17:15
CLOSED_DAY_WEIGHT = 0.04  # a closed day gets this share of an open day's mail
SEASONS = {
    "shimin": {3: 1.6, 4: 1.5},
    "zeimu": {2: 1.3, 3: 1.3, 6: 1.6},
    "kosodate": {10: 1.3, 11: 1.4},
    "kensetsu": {1: 1.3, 2: 1.2},
    "kankyo": {7: 1.2, 8: 1.2},
    "hoken": {4: 1.2, 7: 1.3},
}


def is_closed(day: dt.date) -> bool:
    """Weekends and the year-end holidays (12/29–1/3)."""
    return day.weekday() >= 5 or (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3)


class Schedule:
    def __init__(self, *, first_day: dt.date, last_day: dt.date, tz, department_weights: dict[str, int]):
        self.tz = tz
        self.days = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        self.by_month = {
            month: {code: weight * SEASONS.get(code, {}).get(month, 1.0) for code, weight in department_weights.items()}
            for month in range(1, 13)
        }
        total = sum(department_weights.values())
        self.month_factor = {month: sum(weights.values()) / total for month, weights in self.by_month.items()}

    def department_weights(self, day: dt.date) -> dict[str, float]:
        return self.by_month[day.month]

    def _weight(self, day: dt.date) -> float:
        if is_closed(day):
            return CLOSED_DAY_WEIGHT
        return self.month_factor[day.month] * (1.2 if day.weekday() == 0 else 1.0)

    def days_in_order(self, rng: random.Random, count: int) -> Iterator[tuple[dt.date, int]]:
        """(day, number of contacts that day) for ``count`` contacts, oldest first."""
        if not self.days:
            return
        picks = sorted(rng.choices(range(len(self.days)), weights=[self._weight(d) for d in self.days], k=count))
        start = 0
        while start < len(picks):
            end = start
            while end < len(picks) and picks[end] == picks[start]:
                end += 1
            yield self.days[picks[start]], end - start
            start = end

    def start(self, rng: random.Random, *, day: dt.date, channel: str) -> dt.datetime:
        """A start time on ``day``: mail and letters from morning to night (when
        they were read), visits in the middle of the day, the rest in office
        hours with the morning and early-afternoon peaks."""
        if channel in ("mail", "letter") and (is_closed(day) or rng.random() < 0.3):
            minute = rng.randint(7 * 60, 22 * 60)
        elif channel == "visit":
            minute = rng.randint(9 * 60 + 30, 16 * 60)
        elif rng.random() < 0.03:
            minute = rng.choice((rng.randint(8 * 60, OFFICE_OPENS), rng.randint(OFFICE_CLOSES, 18 * 60 + 30)))
        else:
            morning = rng.triangular(OFFICE_OPENS, 12 * 60, 10 * 60)
            afternoon = rng.triangular(13 * 60, OFFICE_CLOSES, 14 * 60)
            minute = round(rng.choice((morning, afternoon)))
        second = 0 if channel in ("mail", "letter") else rng.randint(0, 59)
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60, second), self.tz)
