"""The measure figures of the statistics pages (issue 16): measures by the pack's
rungs (注意, 警告, 対応制限 …) and by state, and the measures issued.

A measure counts in its lead department (主管課, ``lead_department``). The first table
counts the measures drafted in the period (``drafted_at``, Asia/Tokyo) with the state
they are in now; the second the measures issued in the period (``issued_at``), the
figure a city publishes. One grouped query each."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from mamoru.lib.figures import Row, Scope, Table
from mamoru.policy.loader import current as current_policy

from .choices import MeasureStatus
from .models import Measure


def measure_list_link(scope: Scope, **filters) -> str:
    """The measure list behind a figure (it narrows itself to what the reader may see)."""
    params = {}
    if len(scope.department_ids) == 1:
        params["department"] = scope.department_ids[0]
    params.update({k: v for k, v in filters.items() if v not in ("", None)})
    return f"{reverse('measures:measure_list')}?{urlencode(params)}"


def _kinds(counted_kinds) -> list[tuple[str, str]]:
    """(code, name) of the pack's rungs in order, then any stored code the pack no longer has."""
    pack = current_policy()
    codes = [m.code for m in pack.measures]
    return [(m.code, m.name) for m in pack.measures] + [(c, c) for c in sorted(counted_kinds) if c not in codes]


def measures_by_kind_and_status(scope: Scope) -> Table:
    start, end = scope.period.bounds(timezone.get_current_timezone())
    grouped = (
        Measure.objects.filter(lead_department_id__in=scope.department_ids, drafted_at__gte=start, drafted_at__lt=end)
        .values("kind", "status")
        .annotate(total=Count("id"))
        .order_by()
    )
    counts = {(row["kind"], row["status"]): row["total"] for row in grouped}
    statuses = list(MeasureStatus)
    period = {"drafted_from": scope.period.start.isoformat(), "drafted_to": scope.period.end.isoformat()}
    return Table(
        key="measures_by_kind_and_status",
        title="措置の種類別・状態別（期間内に起案された措置の今の状態）",
        row_header="措置",
        columns=[str(status.label) for status in statuses],
        rows=[
            Row(
                label=name,
                values=[counts.get((code, status.value), 0) for status in statuses],
                link=measure_list_link(scope, kind=code, **period),
            )
            for code, name in _kinds({kind for kind, _ in counts})
        ],
        chart="",
        public=False,
        note="主管課で数える。状態は集計時点のもの（差戻し後に再び回付したものは「決裁中」）。",
    )


def measures_issued(scope: Scope) -> Table:
    start, end = scope.period.bounds(timezone.get_current_timezone())
    grouped = (
        Measure.objects.filter(lead_department_id__in=scope.department_ids, issued_at__gte=start, issued_at__lt=end)
        .values("kind")
        .annotate(
            # distinct: a measure appealed twice is joined to two appeal rows.
            total=Count("id", distinct=True),
            withdrawn=Count("id", filter=Q(status=MeasureStatus.WITHDRAWN), distinct=True),
            appealed=Count("id", filter=Q(appeals__isnull=False), distinct=True),
        )
        .order_by()
    )
    counted = {row["kind"]: row for row in grouped}
    period = {"issued_from": scope.period.start.isoformat(), "issued_to": scope.period.end.isoformat()}
    return Table(
        key="measures_issued",
        title="発出した措置",
        row_header="措置",
        columns=["発出", "うち撤回", "うち不服の申出あり"],
        rows=[
            Row(
                label=name,
                values=[
                    counted.get(code, {}).get("total", 0),
                    counted.get(code, {}).get("withdrawn", 0),
                    counted.get(code, {}).get("appealed", 0),
                ],
                link=measure_list_link(scope, kind=code, **period),
            )
            for code, name in _kinds(counted)
        ],
        public=True,
        note="期間内に発出した措置を主管課で数える。撤回・不服の申出は集計時点までのもの。",
    )


def measure_figures(scope: Scope) -> list[Table]:
    return [measures_issued(scope), measures_by_kind_and_status(scope)]
