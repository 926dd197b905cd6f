"""The days a Japanese city hall is closed (行政機関の休日): Saturdays, Sundays,
national holidays (国民の祝日・振替休日・国民の休日, from ``jpholiday``'s offline
calendar) and the year-end closing, 12月29日〜1月3日.

Statutory deadlines that fall on a closed day move to the next open day
(行政機関の休日に関する法律第2条). A city with extra closed days of its own
(a 休日条例) would add them here."""

from __future__ import annotations

import datetime as dt

import jpholiday


def is_closed(day: dt.date) -> bool:
    return (
        day.weekday() >= 5
        or jpholiday.is_holiday(day)
        or (day.month == 12 and day.day >= 29)
        or (day.month == 1 and day.day <= 3)
    )


def next_open_day(day: dt.date) -> dt.date:
    """``day`` itself when the city hall is open, else the next day it is."""
    while is_closed(day):
        day += dt.timedelta(days=1)
    return day
