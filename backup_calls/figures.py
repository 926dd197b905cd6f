"""The backup-call figures of the statistics pages (issue 16): how many calls, how
many moved up a level because nobody answered, how many nobody took, and how long
staff waited for someone to say 「向かいます」 (median and 95th percentile).

A call counts in the period and month it was raised (``created_at``, Asia/Tokyo) and
in the department of its contact (``department``). Every table is one grouped query;
the waiting times are three (a count, then the two ranks: ``nearest_rank``)."""

from __future__ import annotations

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Department
from mamoru.lib.figures import Row, Scope, Table, nearest_rank
from mamoru.lib.wareki import month_label

from .models import BackupCall

COLUMNS = ["応援要請", "管理職へ引き上げ", "専門部署へ引き上げ", "誰も向かわなかった"]
NOTE = (
    "要請した日時（日本時間）の月・対応記録の担当課で数える。引き上げは応答がなく通知先が上がったもの"
    "（専門部署へ引き上げたものは管理職へも引き上げ済み）。「誰も向かわなかった」は「向かいます」を押した職員が"
    "いないまま終了したもの、または集計時点でまだ誰も向かっていないもの。"
)


def calls_in_scope(scope: Scope):
    start, end = scope.period.bounds(timezone.get_current_timezone())
    return BackupCall.objects.filter(department_id__in=scope.department_ids, created_at__gte=start, created_at__lt=end)


def _counts():
    return {
        "total": Count("id"),
        "manager": Count("id", filter=Q(manager_alerted_at__isnull=False)),
        "specialist": Count("id", filter=Q(specialist_alerted_at__isnull=False)),
        "untaken": Count("id", filter=Q(taken_at__isnull=True)),
    }


def _values(row: dict) -> list:
    return [row.get("total", 0), row.get("manager", 0), row.get("specialist", 0), row.get("untaken", 0)]


def backup_calls_by_month(scope: Scope) -> Table:
    tz = timezone.get_current_timezone()
    grouped = (
        calls_in_scope(scope).annotate(month=TruncMonth("created_at", tzinfo=tz)).values("month").annotate(**_counts())
    ).order_by()
    by_month = {(row["month"].year, row["month"].month): row for row in grouped}
    style = getattr(scope.user, "date_style", "wareki") or "wareki"
    rows = [
        Row(label=month_label(year, month, style), values=_values(by_month.get((year, month), {})))
        for year, month in scope.period.months()
    ]
    return Table(
        key="backup_calls_by_month",
        title="月別の応援要請",
        row_header="月",
        columns=COLUMNS,
        rows=rows,
        public=True,
        note=NOTE,
    )


def backup_calls_by_department(scope: Scope) -> Table:
    grouped = calls_in_scope(scope).values("department_id").annotate(**_counts()).order_by()
    counted = {row["department_id"]: row for row in grouped}
    rows = []
    for department in Department.objects.filter(pk__in=scope.department_ids).order_by("sort_order", "id"):
        if department.pk not in counted and not department.is_active:
            continue  # a department closed before the period: no row of zeros
        rows.append(Row(label=department.name, values=_values(counted.get(department.pk, {}))))
    return Table(
        key="backup_calls_by_department",
        title="所属別の応援要請",
        row_header="所属",
        columns=COLUMNS,
        rows=rows,
        public=True,
        note="所属は今の名前で表示する（年度の途中で名前を変えた所属も1行）。",
    )


def backup_call_waiting_times(scope: Scope) -> Table:
    """Seconds from the call to 「向かいます」, of the calls someone took."""
    taken = calls_in_scope(scope).filter(taken_at__isnull=False)
    waited = ExpressionWrapper(F("taken_at") - F("created_at"), output_field=DurationField())
    counts = taken.aggregate(total=Count("id"))

    def seconds(value):
        return None if value is None else round(value.total_seconds())

    rows = [
        Row(
            label="向かう職員が決まった応援要請",
            values=[
                counts["total"],
                seconds(nearest_rank(taken, waited, 0.5, count=counts["total"])),
                seconds(nearest_rank(taken, waited, 0.95, count=counts["total"])),
            ],
        )
    ]
    return Table(
        key="backup_call_waiting_times",
        title="応援要請から「向かいます」までの時間",
        row_header="",
        columns=["件数", "中央値（秒）", "95パーセンタイル（秒）"],
        rows=rows,
        formats=["int", "seconds", "seconds"],
        chart="",
        additive=False,
        public=False,
        note=(
            "要請してから職員が「向かいます」を押すまでの秒数。中央値は半数がこの時間以内、"
            "95パーセンタイルは95%がこの時間以内に向かう職員が決まったことを示す（順位による正確な値）。"
            "誰も向かわなかった要請は含めない。"
        ),
    )


def backup_call_figures(scope: Scope) -> list[Table]:
    return [backup_calls_by_month(scope), backup_call_waiting_times(scope), backup_calls_by_department(scope)]
