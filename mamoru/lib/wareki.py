"""Japanese era dates (和暦): 2025-12-19 → 令和7年12月19日."""

from __future__ import annotations

import datetime as dt

# (first day of the era, era name), newest first.
ERAS = (
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1868, 10, 23), "明治"),
)


def era_year(day: dt.date) -> tuple[str, int]:
    """The era name and the year within it (1 for the first year)."""
    for start, name in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f"明治より前の日付は和暦に変換できません: {day.isoformat()}")


def format_wareki(day: dt.date, *, gannen: bool = True) -> str:
    """令和7年12月19日; the first year of an era reads 元年 unless gannen=False.
    A day before 明治 (a stored value the rules would refuse today) reads in
    西暦: showing a record never fails on its date."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if day < ERAS[-1][0]:
        return format_seireki(day)
    name, year = era_year(day)
    year_text = "元" if year == 1 and gannen else str(year)
    return f"{name}{year_text}年{day.month}月{day.day}日"


def format_seireki(day: dt.date) -> str:
    if isinstance(day, dt.datetime):
        day = day.date()
    return f"{day.year}年{day.month}月{day.day}日"


def fiscal_year(day: dt.date) -> int:
    """The Japanese fiscal year (年度) a day falls in: April to March."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_label(year: int, style: str = "wareki") -> str:
    """令和7年度 (or 2025年度) for the fiscal year from April ``year``. The era is the
    one in force at the end of the calendar year, as governments name it: the year
    from April 2019 is 令和元年度, the year from April 1988 昭和63年度."""
    if style != "wareki" or dt.date(year, 12, 31) < ERAS[-1][0]:
        return f"{year}年度"
    name, era = era_year(dt.date(year, 12, 31))
    return f"{name}{'元' if era == 1 else era}年度"


def month_label(year: int, month: int, style: str = "wareki") -> str:
    """令和7年4月 (or 2025年4月): the era of the month's first day."""
    first = dt.date(year, month, 1)
    if style != "wareki" or first < ERAS[-1][0]:
        return f"{year}年{month}月"
    name, era = era_year(first)
    return f"{name}{'元' if era == 1 else era}年{month}月"
