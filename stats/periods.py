"""The periods figures are counted over: a fiscal year (年度, April to March), a
month, or any range of days; and the period before each, for comparison."""

from __future__ import annotations

import calendar
import datetime as dt

from mamoru.lib.figures import Period
from mamoru.lib.wareki import fiscal_year, fiscal_year_label, format_seireki, format_wareki, month_label


def fiscal_year_period(year: int, style: str = "wareki") -> Period:
    return Period(
        start=dt.date(year, 4, 1),
        end=dt.date(year + 1, 3, 31),
        label=fiscal_year_label(year, style),
        kind="fiscal_year",
    )


def month_period(year: int, month: int, style: str = "wareki") -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(
        start=dt.date(year, month, 1),
        end=dt.date(year, month, last),
        label=month_label(year, month, style),
        kind="month",
    )


def range_period(start: dt.date, end: dt.date, style: str = "wareki") -> Period:
    show = format_wareki if style == "wareki" else format_seireki
    return Period(start=start, end=end, label=f"{show(start)}〜{show(end)}", kind="range")


def current_fiscal_year_period(today: dt.date, style: str = "wareki") -> Period:
    return fiscal_year_period(fiscal_year(today), style)


def previous_period(period: Period, style: str = "wareki") -> Period:
    """The fiscal year or month before; for a range, as many days just before it."""
    if period.kind == "fiscal_year":
        return fiscal_year_period(period.start.year - 1, style)
    if period.kind == "month":
        first = period.start - dt.timedelta(days=1)
        return month_period(first.year, first.month, style)
    end = period.start - dt.timedelta(days=1)
    return range_period(end - dt.timedelta(days=period.days - 1), end, style)
