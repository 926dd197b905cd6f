"""The repetition figures of the statistics pages (issue 16): how many 繰り返し flags
the pack's rules proposed and how the specialist section decided them. Never a
resident's name: only counts, and the number of residents (no one is listed).

A flag counts in the period it was detected (``detected_at``, Asia/Tokyo) with the
status it has now. A flag has no department of its own (a resident may call on
several): it counts for the chosen departments when one of its contacts (not
deleted) belongs to one of them, once whatever the number of such contacts. One
grouped query per table."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import is_specialist
from mamoru.lib.figures import Row, Scope, Table
from mamoru.policy.loader import current as current_policy

from .choices import FlagStatus
from .models import RepetitionFlag

NOTE = (
    "期間内に基準が提案（検出）した「繰り返しの確認」を、集計時点の判断で数える。"
    "住民等に所属はないため、選んだ所属の対応記録（削除したものを除く）を根拠に含むものを1件として数える。"
)


def flags_in_scope(scope: Scope):
    start, end = scope.period.bounds(timezone.get_current_timezone())
    return RepetitionFlag.objects.filter(
        detected_at__gte=start,
        detected_at__lt=end,
        contacts__department_id__in=scope.department_ids,
        contacts__deleted_at__isnull=True,
    )


def flag_list_link(scope: Scope, **filters) -> str:
    """The 繰り返しの確認 list behind a figure: the specialist section's page, so no
    link for anyone else."""
    if scope.public or not is_specialist(scope.user):
        return ""
    params = {"detected_from": scope.period.start.isoformat(), "detected_to": scope.period.end.isoformat()}
    params.update({k: v for k, v in filters.items() if v not in ("", None)})
    return f"{reverse('repetition:flag_list')}?{urlencode(params)}"


def flags_by_rule(scope: Scope) -> Table:
    grouped = (
        flags_in_scope(scope)
        .values("rule_code")
        .annotate(
            # distinct: a flag is joined to each of its contacts in the departments.
            total=Count("id", distinct=True),
            open=Count("id", filter=Q(status=FlagStatus.OPEN), distinct=True),
            confirmed=Count("id", filter=Q(status=FlagStatus.CONFIRMED), distinct=True),
            dismissed=Count("id", filter=Q(status=FlagStatus.DISMISSED), distinct=True),
            name=Max("rule_name"),
        )
        .order_by()
    )
    counted = {row["rule_code"]: row for row in grouped}
    rules = [(rule.code, rule.name) for rule in current_policy().repetition_rules]
    known = {code for code, _ in rules}
    rules += [(code, counted[code]["name"] or code) for code in sorted(counted) if code not in known]
    rows = []
    for code, name in rules:
        row = counted.get(code, {})
        rows.append(
            Row(
                label=name,
                values=[row.get("total", 0), row.get("open", 0), row.get("confirmed", 0), row.get("dismissed", 0)],
                link=flag_list_link(scope, rule=code),
            )
        )
    return Table(
        key="repetition_flags_by_rule",
        title="繰り返しの確認（基準別）",
        row_header="基準",
        columns=["提案", "要確認（未判断）", "繰り返しに該当", "該当しない"],
        rows=rows,
        public=True,
        note=NOTE,
    )


def repeat_residents(scope: Scope) -> Table:
    counts = flags_in_scope(scope).aggregate(
        flagged=Count("resident_id", distinct=True),
        confirmed=Count("resident_id", filter=Q(status=FlagStatus.CONFIRMED), distinct=True),
    )
    return Table(
        key="repetition_residents",
        title="繰り返しの確認の対象となった住民等の数",
        row_header="",
        columns=["提案があった住民等", "うち繰り返しに該当と判断"],
        rows=[
            Row(
                label="住民等（重複なし）",
                values=[counts["flagged"], counts["confirmed"]],
                link=flag_list_link(scope, status=FlagStatus.CONFIRMED),
            )
        ],
        chart="",
        additive=False,
        public=True,
        note="同じ住民等に複数の基準の提案があっても1人と数える。氏名は表示しない。",
    )


def repetition_figures(scope: Scope) -> list[Table]:
    return [flags_by_rule(scope), repeat_residents(scope)]
