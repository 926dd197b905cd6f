"""Dates, times and durations as Japanese offices write them in spreadsheets:
2025/4/1, R7.4.1, 令和7年4月1日 (元年 too), 20250401, a weekday in brackets;
9:05, 9時5分, 午後1時; 30, 30分, 1時間30分, 1:30; and Excel's own date and
time cells and serial numbers. Pure: no models; a value that cannot be read
raises ``DateParseError`` with a Japanese message."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from .spreadsheet import cell_raw, cell_text
from .wareki import ERAS


class DateParseError(ValueError):
    """A date, time or duration that cannot be read; the message is Japanese."""


_WEEKDAY = re.compile(r"[(（][月火水木金土日][)）]|[(（](?:mon|tue|wed|thu|fri|sat|sun)[)）]", re.IGNORECASE)
_ERA_BY_NAME = {name: start.year for start, name in ERAS}
_ERA_BY_LETTER = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正", "M": "明治"}
_SEP = r"\s*[年./-]\s*"
_WESTERN_DATE = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*[月./-]\s*(\d{{1,2}})\s*日?(.*)$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ERA_DATE = re.compile(
    rf"^(令和|平成|昭和|大正|明治|[RHSTM])\s*(元|\d{{1,2}}){_SEP}(\d{{1,2}})\s*[月./-]\s*(\d{{1,2}})\s*日?(.*)$",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$")
_KANJI_CLOCK = re.compile(r"^(\d{1,2})時(?:(\d{1,2})分)?(?:(\d{1,2})秒)?$")
_MERIDIEM = re.compile(r"^(午前|午後|am|pm)?(.*?)(am|pm)?$", re.IGNORECASE)
_HOURS_MINUTES = re.compile(r"^(?:(\d+(?:\.\d+)?)時間)?(?:(\d+(?:\.\d+)?)分)?$")
# Excel's serial numbers run from 1 (1900-01-01) to 2958465 (9999-12-31).
_EXCEL_SERIALS = (1, 2958466)


def safe_localtime(value: dt.datetime | None) -> dt.datetime | None:
    """An aware moment in the local time zone, for display. A moment stored at
    the edge of the calendar (year 1, year 9999) that cannot be moved to the
    local zone comes back as written, without its zone, instead of raising."""
    if value is None or not isinstance(value, dt.datetime) or timezone.is_naive(value):
        return value
    try:
        return timezone.localtime(value)
    except OverflowError:
        return value.replace(tzinfo=None)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _excel_serial(value: float) -> dt.datetime:
    from openpyxl.utils.datetime import from_excel

    return from_excel(value)


def _time_of_day(moment: dt.datetime) -> dt.time | None:
    return moment.time() if moment.time() != dt.time(0) else None


def parse_date(value) -> tuple[dt.date, dt.time | None]:
    """A date cell or text → (date, time of day if the cell carried one)."""
    if isinstance(value, dt.datetime):
        return value.date(), _time_of_day(value)
    if isinstance(value, dt.date):
        return value, None
    if _is_number(value):
        if not _EXCEL_SERIALS[0] <= value < _EXCEL_SERIALS[1]:
            raise DateParseError(_("日付「{value}」を読めません").format(value=value))
        moment = _excel_serial(value)
        return moment.date(), _time_of_day(moment)
    text = _WEEKDAY.sub("", cell_text(value)).strip()
    if not text:
        raise DateParseError(_("日付が空です"))
    try:
        if match := _ERA_DATE.match(text):
            era, year, month, day, rest = match.groups()
            era = _ERA_BY_LETTER.get(era.upper(), era)
            year = 1 if year == "元" else int(year)
            moment = dt.date(_ERA_BY_NAME[era] + year - 1, int(month), int(day))
        elif match := _WESTERN_DATE.match(text):
            year, month, day, rest = match.groups()
            moment = dt.date(int(year), int(month), int(day))
        elif match := _COMPACT_DATE.match(text):
            moment, rest = dt.date(*(int(part) for part in match.groups())), ""
        else:
            raise ValueError(text)
        time = parse_time(rest) if rest.strip() else None
    except ValueError as error:  # DateParseError included
        raise DateParseError(_("日付「{value}」を読めません").format(value=cell_raw(value))) from error
    return moment, time


def parse_time(value) -> dt.time:
    """A time cell or text (9:05, 9時5分, 午後1時) → a time of day."""
    if isinstance(value, dt.datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(microsecond=0)
    if _is_number(value) and 0 <= value < 1:
        seconds = round(value * 86400)
        return dt.time(seconds // 3600 % 24, seconds // 60 % 60, seconds % 60)
    text = cell_text(value).replace(" ", "")
    try:
        meridiem_before, rest, meridiem_after = _MERIDIEM.match(text).groups()
        meridiem = (meridiem_before or meridiem_after or "").lower()
        match = _CLOCK.match(rest) or _KANJI_CLOCK.match(rest)
        if not match:
            raise ValueError(text)
        hour, minute, second = (int(part or 0) for part in match.groups())
        if meridiem in ("午後", "pm") and hour < 12:
            hour += 12
        elif meridiem in ("午前", "am") and hour == 12:
            hour = 0
        return dt.time(hour, minute, second)
    except ValueError as error:
        raise DateParseError(_("時刻「{value}」を読めません").format(value=cell_raw(value))) from error


def parse_minutes(value) -> float:
    """A duration in minutes: 30, 30分, 1時間30分, 1:30 (h:mm), or an Excel time cell."""
    if isinstance(value, dt.timedelta):
        minutes = value.total_seconds() / 60
    elif isinstance(value, dt.time):
        minutes = value.hour * 60 + value.minute + value.second / 60
    elif _is_number(value):
        minutes = float(value)
    else:
        text = cell_text(value).replace(" ", "")
        try:
            if re.fullmatch(r"\d+(?:\.\d+)?", text):
                minutes = float(text)
            elif match := _CLOCK.match(text):
                hours, mins, secs = (int(part or 0) for part in match.groups())
                minutes = hours * 60 + mins + secs / 60
            elif (match := _HOURS_MINUTES.match(text)) and any(match.groups()):
                minutes = float(match.group(1) or 0) * 60 + float(match.group(2) or 0)
            else:
                raise ValueError(text)
        except ValueError as error:
            raise DateParseError(_("対応時間「{value}」を分として読めません").format(value=cell_raw(value))) from error
    if minutes < 0 or minutes > 24 * 60:
        raise DateParseError(_("対応時間「{value}」分は範囲外です").format(value=cell_raw(value)))
    return minutes


def on_days(field: str, first: dt.date | None = None, last: dt.date | None = None) -> dict:
    """Filter arguments for a datetime ``field`` falling on the days ``first`` to ``last``
    (both included, either may be missing), read in the city's time zone:
    ``contacts.filter(**on_days("started_at", first, last))``."""
    tz = timezone.get_current_timezone()
    bounds = {}
    if first:
        bounds[f"{field}__gte"] = dt.datetime.combine(first, dt.time.min, tz)
    if last:
        bounds[f"{field}__lt"] = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz)
    return bounds
