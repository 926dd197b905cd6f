"""The case figures of the statistics pages (issue 16): cases by the pack's states
and by department, and open cases by age.

A case counts in the period it was reported (``opened_at``, Asia/Tokyo) and in its
own department (``Case.department``), with the state it is in now. The age table
counts the cases open at the end of the period, or today when the period has not
ended yet: reported by then and not closed by then, whenever they were reported.
Each table is one grouped query (the two state tables share it)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department
from mamoru.lib.figures import Row, Scope, Table
from mamoru.lib.wareki import format_seireki, format_wareki
from mamoru.policy.loader import current as current_policy

from .models import Case

# (label, youngest, oldest) in whole days since the day reported; None: no bound.
AGES = (("7日未満", 0, 6), ("7〜30日", 7, 30), ("31〜90日", 31, 90), ("90日超", 91, None))


def case_list_link(scope: Scope, **filters) -> str:
    """The case list behind a figure (it narrows itself to what the reader may see)."""
    params = {"state": "all"}
    if len(scope.department_ids) == 1 and "department" not in filters:
        params["department"] = scope.department_ids[0]
    params.update({k: v for k, v in filters.items() if v not in ("", None)})
    return f"{reverse('cases:case_list')}?{urlencode(params)}"


def _departments(scope: Scope, counted) -> list[Department]:
    return [
        department
        for department in Department.objects.filter(pk__in=scope.department_ids).order_by("sort_order", "id")
        if department.pk in counted or department.is_active  # a department closed before: no row of zeros
    ]


def _state_codes(counted_codes) -> list[str]:
    pack_codes = current_policy().case_state_codes()
    return pack_codes + sorted(code for code in counted_codes if code not in pack_codes)


def case_state_tables(scope: Scope) -> list[Table]:
    """Cases reported in the period, by state (now), in all and by department."""
    pack = current_policy()
    start, end = scope.period.bounds(timezone.get_current_timezone())
    grouped = (
        Case.objects.filter(department_id__in=scope.department_ids, opened_at__gte=start, opened_at__lt=end)
        .values("department_id", "state")
        .annotate(total=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, str], int] = {(row["department_id"], row["state"]): row["total"] for row in grouped}
    codes = _state_codes({code for _, code in counts})
    period = {"opened_from": scope.period.start.isoformat(), "opened_to": scope.period.end.isoformat()}
    by_state = Table(
        key="cases_by_state",
        title="状態別の事案（期間内に報告された事案の今の状態）",
        row_header="状態",
        columns=["事案"],
        rows=[
            Row(
                label=pack.case_state_name(code),
                values=[sum(n for (_, state), n in counts.items() if state == code)],
                link=case_list_link(scope, case_state=code, **period),
            )
            for code in codes
        ],
        public=True,
        note="状態はポリシーパックの事案の状態（報告〜終結）。集計時点の状態で数える。",
    )
    departments = _departments(scope, {department_id for department_id, _ in counts})
    by_department = Table(
        key="cases_by_department",
        title="所属別・状態別の事案",
        row_header="所属",
        columns=[pack.case_state_name(code) for code in codes],
        rows=[
            Row(
                label=department.name,
                values=[counts.get((department.pk, code), 0) for code in codes],
                link=case_list_link(scope, department=department.pk, **period),
            )
            for department in departments
        ],
        chart="",
        public=True,
        note="事案の担当課で数え、今の名前で表示する。",
    )
    return [by_state, by_department]


def case_reference_day(scope: Scope) -> dt.date:
    """The day open cases are counted at: the period's last day, or today if earlier."""
    return min(scope.period.end, timezone.localdate())


def cases_open_by_age(scope: Scope) -> Table:
    tz = timezone.get_current_timezone()
    day = case_reference_day(scope)

    def day_start(value: dt.date) -> dt.datetime:
        return dt.datetime.combine(value, dt.time.min, tz)

    end = day_start(day + dt.timedelta(days=1))

    def age_filter(youngest, oldest) -> Q:
        # Reported on a day between day - oldest and day - youngest.
        q = Q(opened_at__lt=day_start(day - dt.timedelta(days=youngest - 1)))
        if oldest is not None:
            q &= Q(opened_at__gte=day_start(day - dt.timedelta(days=oldest)))
        return q

    grouped = (
        Case.objects.filter(department_id__in=scope.department_ids, opened_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .values("department_id")
        .annotate(**{f"age{i}": Count("id", filter=age_filter(y, o)) for i, (_, y, o) in enumerate(AGES)})
        .order_by()
    )
    counted = {row["department_id"]: row for row in grouped}

    def link(department_id, youngest, oldest):
        first = (day - dt.timedelta(days=oldest)).isoformat() if oldest is not None else ""
        return case_list_link(
            scope,
            department=department_id,
            open_on=day.isoformat(),
            opened_from=first,
            opened_to=(day - dt.timedelta(days=youngest)).isoformat(),
        )

    rows = []
    for department in _departments(scope, counted):
        row = counted.get(department.pk, {})
        rows.append(
            Row(
                label=department.name,
                values=[row.get(f"age{i}", 0) for i in range(len(AGES))],
                link=link(department.pk, 0, None),
            )
        )
    show = format_wareki if getattr(scope.user, "date_style", "wareki") != "seireki" else format_seireki
    when = "期間の末日" if day == scope.period.end else "今日（期間の途中）"
    return Table(
        key="cases_open_by_age",
        title=f"未終結の事案の経過日数（{show(day)}時点）",
        row_header="所属",
        columns=[label for label, _, _ in AGES],
        rows=rows,
        chart="stacked",
        public=False,
        note=(
            f"{when}（{show(day)}）の終わりに終結していなかった事案を、報告された日からの経過日数で数える"
            "（報告した日を0日目とする）。期間より前に報告された事案も含む。"
        ),
    )


def case_figures(scope: Scope) -> list[Table]:
    return [*case_state_tables(scope), cases_open_by_age(scope)]
