"""The contact figures of the statistics pages (issue 16): how often, where, how
and for how long, counted by the database (one grouped query per table).

A contact counts in the period and on the day, hour and weekday it started, in
the city's time zone; one that runs past midnight belongs to the day it began.
Departments are counted by id and labelled with today's name, so a department
renamed within the year keeps one row. Deleted contacts are never counted.

The tables read the tallies of ``records.tally`` (contacts per day, hour,
department and channel, and per category: a year of a million contacts is some
hundred thousand tally rows), and count the contacts themselves for the days
still waiting to be counted again (a contact saved since the background loop's
last pass), so that a figure is never older than the last save and drawing the
page writes nothing (tests/test_stats_tally.py checks both agree with counts
made from the contacts)."""

from __future__ import annotations

import calendar
import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, F, IntegerField, Max, Min, Q, Sum
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay, TruncMonth
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department
from mamoru.lib.figures import Row, Scope, Table
from mamoru.lib.wareki import month_label
from mamoru.policy.loader import current as current_policy

from .choices import HarassmentJudgement
from .models import Contact, ContactCategory, ContactCategoryTally, ContactTally, ContactTallyRequest
from .tally import limit_seconds

WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")
YES = HarassmentJudgement.YES


def _style(scope: Scope) -> str:
    return getattr(scope.user, "date_style", "wareki") or "wareki"


def contacts_in_scope(scope: Scope):
    start, end = scope.period.bounds(timezone.get_current_timezone())
    return Contact.objects.filter(
        department_id__in=scope.department_ids, started_at__gte=start, started_at__lt=end, deleted_at__isnull=True
    )


def tallies_in_scope(scope: Scope):
    """The tally rows of the scope's days and departments (``records.tally``)."""
    return ContactTally.objects.filter(
        department_id__in=scope.department_ids, day__gte=scope.period.start, day__lte=scope.period.end
    )


def contact_list_link(scope: Scope, **filters) -> str:
    """The contact list behind a figure: the period, the department when the scope
    holds one, and ``filters``. The list narrows itself to what the reader may see."""
    params = {"date_from": scope.period.start.isoformat(), "date_to": scope.period.end.isoformat()}
    if len(scope.department_ids) == 1 and "department" not in filters:
        params["department"] = scope.department_ids[0]
    params.update({k: v for k, v in filters.items() if v not in ("", None)})
    return f"{reverse('records:contact_list')}?{urlencode(params)}"


def _sum(field: str):
    return Coalesce(Sum(field), 0, output_field=IntegerField())


# What a table may ask for: the same names from the tallies and from the contacts.
TALLIED = {
    "total": "contacts",
    "yes": "harassment",
    "seconds": "seconds",
    "yes_seconds": "harassment_seconds",
    "unsure": "unsure",
    "undecided": "undecided_ended",
    "ended": "ended",
    "yes_ended": "harassment_ended",
    "over": "over_limit",
    "yes_over": "harassment_over_limit",
}
COUNTS = ("total", "yes", "seconds", "yes_seconds")


def _counted_from_contacts(limit: int, prefix: str = "") -> dict:
    ended = Q(**{f"{prefix}ended_at__isnull": False})
    yes = Q(**{f"{prefix}harassment": YES})
    over = ended & Q(**{f"{prefix}duration_seconds__gt": limit})
    seconds = f"{prefix}duration_seconds"

    def count(condition=None):
        return Count(f"{prefix}id", filter=condition)

    return {
        "total": count(),
        "yes": count(yes),
        "seconds": _sum(seconds),
        "yes_seconds": Coalesce(Sum(seconds, filter=yes), 0, output_field=IntegerField()),
        "unsure": count(Q(**{f"{prefix}harassment": HarassmentJudgement.UNSURE})),
        "undecided": count(ended & Q(**{f"{prefix}harassment": HarassmentJudgement.UNDECIDED})),
        "ended": count(ended),
        "yes_ended": count(ended & yes),
        "over": count(over),
        "yes_over": count(over & yes),
    }


class Counting:
    """The counting of one scope's contact figures: the tallies, and the contacts
    themselves for the days waiting to be counted again (one query finds them)."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.limit = limit_seconds()
        self.pending = sorted(
            ContactTallyRequest.objects.filter(day__gte=scope.period.start, day__lte=scope.period.end).values_list(
                "day", flat=True
            )
        )

    def _pending_started(self, prefix: str = "") -> Q:
        tz = timezone.get_current_timezone()
        days = Q()
        for day in self.pending:
            start = dt.datetime.combine(day, dt.time.min, tz)
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tz)
            days |= Q(**{f"{prefix}started_at__gte": start, f"{prefix}started_at__lt": end})
        return days

    def grouped(self, names, *, tallied_by=None, counted_by=None, key=lambda value: value, tallied_extra=None):
        """{key: {name: value}} for ``names`` (see ``TALLIED``), grouped by ``tallied_by``
        (an expression over the tallies) and ``counted_by`` (the same over the contacts);
        one total under ``None`` when both are ``None``. ``tallied_extra``: more
        aggregates read from the tallies only."""
        tallies = tallies_in_scope(self.scope)
        if self.pending:
            tallies = tallies.exclude(day__in=self.pending)
        measures = {name: _sum(TALLIED[name]) for name in names} | (tallied_extra or {})
        result: dict = {}
        _add(result, tallies, tallied_by, measures, key)
        if self.pending:
            contacts = contacts_in_scope(self.scope).filter(self._pending_started())
            counted = _counted_from_contacts(self.limit)
            _add(result, contacts, counted_by, {name: counted[name] for name in names}, key)
        return result

    def categories(self) -> dict:
        """{code: {"total", "yes"}}: contacts with each category, and those judged harassment."""
        scope = self.scope
        tallies = ContactCategoryTally.objects.filter(
            department_id__in=scope.department_ids, day__gte=scope.period.start, day__lte=scope.period.end
        )
        if self.pending:
            tallies = tallies.exclude(day__in=self.pending)
        result: dict = {}
        _add(result, tallies, F("code"), {"total": _sum("contacts"), "yes": _sum("harassment")}, lambda v: v)
        if self.pending:
            start, end = scope.period.bounds(timezone.get_current_timezone())
            rows = ContactCategory.objects.filter(
                self._pending_started("contact__"),
                contact__department_id__in=scope.department_ids,
                contact__started_at__gte=start,
                contact__started_at__lt=end,
                contact__deleted_at__isnull=True,
            )
            counted = {"total": Count("contact_id"), "yes": Count("contact_id", filter=Q(contact__harassment=YES))}
            _add(result, rows, F("code"), counted, lambda v: v)
        return result


def _add(result: dict, queryset, by, measures: dict, key) -> None:
    if by is None:
        rows = [{"group": None, **queryset.aggregate(**measures)}]
    else:
        rows = queryset.annotate(group=by).values("group").annotate(**measures).order_by()
    for row in rows:
        slot = result.setdefault(key(row["group"]), {})
        for name in measures:
            slot[name] = slot.get(name, 0) + (row[name] or 0)


def _hours(seconds) -> float:
    return round((seconds or 0) / 3600, 1)


def _month_bounds(year: int, month: int, scope: Scope):
    first = max(dt.date(year, month, 1), scope.period.start)
    last = min(dt.date(year, month, calendar.monthrange(year, month)[1]), scope.period.end)
    return first, last


def contacts_by_month(scope: Scope, counting: Counting | None = None) -> Table:
    counting = counting or Counting(scope)
    tz = timezone.get_current_timezone()
    by_month = counting.grouped(
        COUNTS,
        tallied_by=TruncMonth("day"),
        counted_by=TruncMonth("started_at", tzinfo=tz),
        key=lambda month: (month.year, month.month),
    )
    rows = []
    for year, month in scope.period.months():
        row = by_month.get((year, month), {})
        first, last = _month_bounds(year, month, scope)
        rows.append(
            Row(
                label=month_label(year, month, _style(scope)),
                values=[
                    row.get("total", 0),
                    row.get("yes", 0),
                    _hours(row.get("seconds")),
                    _hours(row.get("yes_seconds")),
                ],
                link=contact_list_link(scope, date_from=first.isoformat(), date_to=last.isoformat()),
            )
        )
    return Table(
        key="contacts_by_month",
        title="月別の対応件数と対応時間",
        row_header="月",
        columns=["対応件数", "うちカスハラ", "対応時間（時間）", "うちカスハラ（時間）"],
        rows=rows,
        formats=["int", "int", "hours", "hours"],
        derived_from={2: (0,), 3: (1,)},
        chart="bar",
        public=True,
        note="カスハラは「該当する」と判断された対応。対応時間は終了した対応の開始から終了まで。",
    )


def contacts_by_department(scope: Scope, counting: Counting | None = None) -> Table:
    counting = counting or Counting(scope)
    by = F("department_id")
    counted = counting.grouped((*COUNTS, "unsure", "undecided"), tallied_by=by, counted_by=by)
    departments = Department.objects.filter(pk__in=scope.department_ids).order_by("sort_order", "id")
    rows = []
    for department in departments:
        row = counted.get(department.pk)
        if row is None and not department.is_active:
            continue  # a department closed before the period: no row of zeros
        row = row or {}
        rows.append(
            Row(
                label=department.name,
                values=[row.get("total", 0), row.get("yes", 0), row.get("unsure", 0), row.get("undecided", 0)],
                link=contact_list_link(scope, department=department.pk),
            )
        )
    return Table(
        key="contacts_by_department",
        title="所属別の対応件数",
        row_header="所属",
        columns=["対応件数", "うちカスハラ", "判断に迷う（未決定）", "未判断"],
        rows=rows,
        public=True,
        note="「判断に迷う」「未判断」は集計時点で決まっていないもの。",
    )


def contacts_by_channel(scope: Scope, counting: Counting | None = None) -> Table:
    counting = counting or Counting(scope)
    pack = current_policy()
    counted = counting.grouped(COUNTS, tallied_by=F("channel"), counted_by=F("channel"))
    codes = [c.code for c in pack.channels] + sorted(code for code in counted if pack.channel_name(code) == code)
    rows = []
    for code in codes:
        row = counted.get(code, {})
        rows.append(
            Row(
                label=pack.channel_name(code),
                values=[row.get("total", 0), row.get("yes", 0), _hours(row.get("seconds"))],
                link=contact_list_link(scope, channel=code),
            )
        )
    return Table(
        key="contacts_by_channel",
        title="対応方法別の対応件数",
        row_header="対応方法",
        columns=["対応件数", "うちカスハラ", "対応時間（時間）"],
        rows=rows,
        formats=["int", "int", "hours"],
        derived_from={2: (0,)},
        public=True,
    )


def contacts_by_category(scope: Scope, counting: Counting | None = None) -> Table:
    counting = counting or Counting(scope)
    pack = current_policy()
    counted = counting.categories()
    names = pack.category_names()
    codes = [c.code for c in pack.categories] + sorted(code for code in counted if code not in names)
    rows = [
        Row(
            label=names.get(code, code),
            values=[counted.get(code, {}).get("yes", 0), counted.get(code, {}).get("total", 0)],
            link=contact_list_link(scope, category=code, harassment=YES),
        )
        for code in codes
    ]
    return Table(
        key="contacts_by_category",
        title="類型別のカスハラ件数",
        row_header="類型",
        columns=["カスハラ", "類型が付いた対応（判断を問わない）"],
        rows=rows,
        additive=False,
        public=True,
        note="1件の対応に複数の類型が付くことがあるため、合計は対応件数と一致しません。",
    )


def contacts_by_hour(scope: Scope, counting: Counting | None = None) -> Table:
    counting = counting or Counting(scope)
    tz = timezone.get_current_timezone()
    counted = counting.grouped(
        ("total", "yes"), tallied_by=F("hour"), counted_by=ExtractHour("started_at", tzinfo=tz), key=int
    )
    rows = [
        Row(
            label=f"{hour}時台",
            values=[counted.get(hour, {}).get("total", 0), counted.get(hour, {}).get("yes", 0)],
            link=contact_list_link(scope, hour=hour),
        )
        for hour in range(24)
    ]
    return Table(
        key="contacts_by_hour",
        title="時間帯別の対応件数（開始時刻）",
        row_header="時間帯",
        columns=["対応件数", "うちカスハラ"],
        rows=rows,
        public=True,
    )


def contacts_by_weekday(scope: Scope, counting: Counting | None = None) -> Table:
    counting = counting or Counting(scope)
    tz = timezone.get_current_timezone()
    counted = counting.grouped(
        ("total", "yes"),
        tallied_by=ExtractIsoWeekDay("day"),
        counted_by=ExtractIsoWeekDay("started_at", tzinfo=tz),
        key=int,
    )
    rows = [
        Row(
            label=f"{name}曜日",
            values=[counted.get(day, {}).get("total", 0), counted.get(day, {}).get("yes", 0)],
            link=contact_list_link(scope, weekday=day),
        )
        for day, name in enumerate(WEEKDAYS, start=1)
    ]
    return Table(
        key="contacts_by_weekday",
        title="曜日別の対応件数（開始日）",
        row_header="曜日",
        columns=["対応件数", "うちカスハラ"],
        rows=rows,
        public=True,
    )


def contact_totals(scope: Scope, counting: Counting | None = None) -> dict:
    """The scope's totals under every name of ``TALLIED`` (contacts, harassment, ended,
    over the limit, seconds…): from the tallies, or from the contacts when they were
    tallied under another limit than the pack's (the pack changed since)."""
    counting = counting or Counting(scope)
    names = tuple(TALLIED)
    extra = {"counted_from": Min("limit_seconds"), "counted_to": Max("limit_seconds")}
    found = counting.grouped(names, tallied_extra=extra).get(None, {})
    if found.get("counted_from") and not found["counted_from"] == found["counted_to"] == counting.limit:
        counted = _counted_from_contacts(counting.limit)
        found = contacts_in_scope(scope).aggregate(**{name: counted[name] for name in names})
    return {name: found.get(name) or 0 for name in names}


def contacts_over_limit(scope: Scope, counting: Counting | None = None) -> Table:
    """The 30-minute principle: how many ended contacts ran past the pack's limit, and
    the total handling hours (time per contact × count), of every contact and of harassment."""
    counting = counting or Counting(scope)
    limit = counting.limit
    found = contact_totals(scope, counting)
    totals = {
        "total": found["ended"],
        "yes": found["yes_ended"],
        "seconds": found["seconds"],
        "yes_seconds": found["yes_seconds"],
        "over": found["over"],
        "yes_over": found["yes_over"],
    }

    def row(label, count, over, seconds, link):
        share = round(100 * over / count, 1) if count else None
        average = round(seconds / count / 60, 1) if count else None
        return Row(label=label, values=[count, over, share, _hours(seconds), average], link=link)

    limit_minutes = limit // 60
    return Table(
        key="contacts_over_limit",
        title=f"対応時間の上限（{limit_minutes}分）を超えた対応と延べ対応時間",
        row_header="",
        columns=[
            "終了した対応",
            f"{limit_minutes}分を超えた対応",
            "超えた割合（%）",
            "延べ対応時間（時間）",
            "平均（分）",
        ],
        rows=[
            row(
                "すべての対応",
                totals["total"],
                totals["over"],
                totals["seconds"],
                contact_list_link(scope, over_limit=1),
            ),
            row(
                "カスハラと判断した対応",
                totals["yes"],
                totals["yes_over"],
                totals["yes_seconds"],
                contact_list_link(scope, over_limit=1, harassment=YES),
            ),
        ],
        formats=["int", "int", "percent", "hours", "minutes"],
        derived_from={2: (0, 1), 3: (0,), 4: (0,)},
        chart="",
        additive=False,
        public=True,
    )


def contact_figures(scope: Scope) -> list[Table]:
    counting = Counting(scope)
    return [
        contacts_by_month(scope, counting),
        contacts_over_limit(scope, counting),
        contacts_by_department(scope, counting),
        contacts_by_channel(scope, counting),
        contacts_by_category(scope, counting),
        contacts_by_hour(scope, counting),
        contacts_by_weekday(scope, counting),
    ]
