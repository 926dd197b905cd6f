"""The contact figures of the statistics pages (issue 16): how often, where, how
and for how long, counted by the database (one grouped query per table).

A contact counts in the period and on the day, hour and weekday it started, in
the city's time zone; one that runs past midnight belongs to the day it began.
Departments are counted by id and labelled with today's name, so a department
renamed within the year keeps one row. Deleted contacts are never counted.

The tables read the tallies of ``records.tally`` (contacts per day, hour,
department and channel, and per category), counted again for every day whose
contacts changed before they are read: a year of a million contacts is some
hundred thousand tally rows (tests/test_stats_tally.py checks both agree)."""

from __future__ import annotations

import calendar
import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, IntegerField, Max, Min, Q, Sum
from django.db.models.functions import Coalesce, ExtractIsoWeekDay, TruncMonth
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department
from mamoru.lib.figures import Row, Scope, Table
from mamoru.lib.wareki import month_label
from mamoru.policy.loader import current as current_policy

from .choices import HarassmentJudgement
from .models import Contact, ContactCategoryTally, ContactTally
from .tally import contact_tally_pending, limit_seconds

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


def _counts():
    """Every contact, those judged harassment, and handling seconds of each (from the tallies)."""
    return {
        "total": _sum("contacts"),
        "yes": _sum("harassment"),
        "seconds": _sum("seconds"),
        "yes_seconds": _sum("harassment_seconds"),
    }


def _hours(seconds) -> float:
    return round((seconds or 0) / 3600, 1)


def _month_bounds(year: int, month: int, scope: Scope):
    first = max(dt.date(year, month, 1), scope.period.start)
    last = min(dt.date(year, month, calendar.monthrange(year, month)[1]), scope.period.end)
    return first, last


def contacts_by_month(scope: Scope) -> Table:
    grouped = tallies_in_scope(scope).annotate(month=TruncMonth("day")).values("month").annotate(**_counts()).order_by()
    by_month = {(row["month"].year, row["month"].month): row for row in grouped}
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
        chart="bar",
        public=True,
        note="カスハラは「該当する」と判断された対応。対応時間は終了した対応の開始から終了まで。",
    )


def contacts_by_department(scope: Scope) -> Table:
    grouped = (
        tallies_in_scope(scope)
        .values("department_id")
        .annotate(**_counts(), unsure=_sum("unsure"), undecided=_sum("undecided_ended"))
        .order_by()
    )
    counted = {row["department_id"]: row for row in grouped}
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


def contacts_by_channel(scope: Scope) -> Table:
    pack = current_policy()
    grouped = tallies_in_scope(scope).values("channel").annotate(**_counts()).order_by()
    counted = {row["channel"]: row for row in grouped}
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
        public=True,
    )


def contacts_by_category(scope: Scope) -> Table:
    pack = current_policy()
    grouped = (
        ContactCategoryTally.objects.filter(
            department_id__in=scope.department_ids, day__gte=scope.period.start, day__lte=scope.period.end
        )
        .values("code")
        .annotate(total=_sum("contacts"), yes=_sum("harassment"))
        .order_by()
    )
    counted = {row["code"]: row for row in grouped}
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


def contacts_by_hour(scope: Scope) -> Table:
    grouped = tallies_in_scope(scope).values("hour").annotate(total=_sum("contacts"), yes=_sum("harassment")).order_by()
    counted = {row["hour"]: row for row in grouped}
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


def contacts_by_weekday(scope: Scope) -> Table:
    grouped = (
        tallies_in_scope(scope)
        .annotate(weekday=ExtractIsoWeekDay("day"))
        .values("weekday")
        .annotate(total=_sum("contacts"), yes=_sum("harassment"))
        .order_by()
    )
    counted = {row["weekday"]: row for row in grouped}
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


def contacts_over_limit(scope: Scope) -> Table:
    """The 30-minute principle: how many ended contacts ran past the pack's limit, and
    the total handling hours (time per contact × count), of every contact and of harassment."""
    limit = limit_seconds()
    totals = tallies_in_scope(scope).aggregate(
        total=_sum("ended"),
        yes=_sum("harassment_ended"),
        seconds=_sum("seconds"),
        yes_seconds=_sum("harassment_seconds"),
        over=_sum("over_limit"),
        yes_over=_sum("harassment_over_limit"),
        counted_from=Min("limit_seconds"),
        counted_to=Max("limit_seconds"),
    )
    if totals["counted_from"] is not None and not totals["counted_from"] == totals["counted_to"] == limit:
        # Tallied under another limit (the pack changed since): counted from the contacts.
        totals = (
            contacts_in_scope(scope)
            .filter(ended_at__isnull=False)
            .aggregate(
                total=Count("id"),
                yes=Count("id", filter=Q(harassment=YES)),
                seconds=_sum("duration_seconds"),
                yes_seconds=Coalesce(Sum("duration_seconds", filter=Q(harassment=YES)), 0, output_field=IntegerField()),
                over=Count("id", filter=Q(duration_seconds__gt=limit)),
                yes_over=Count("id", filter=Q(duration_seconds__gt=limit, harassment=YES)),
            )
        )

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
        chart="",
        additive=False,
        public=True,
    )


def contact_figures(scope: Scope) -> list[Table]:
    contact_tally_pending()  # the days saved since the background loop last counted (usually none)
    return [
        contacts_by_month(scope),
        contacts_over_limit(scope),
        contacts_by_department(scope),
        contacts_by_channel(scope),
        contacts_by_category(scope),
        contacts_by_hour(scope),
        contacts_by_weekday(scope),
    ]
