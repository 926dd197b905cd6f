"""The figures of requests from other businesses (他事業者からの申入れ, issue 16): requests
by step and by outcome (with the measures decided), and the days from receiving a
request to answering the business.

A request counts in the period it was received (``received_on``). It has no
department of its own: it counts for the chosen departments when one of the staff it
names belongs to one of them (their department today), once whatever the number. A
request that names nobody (only a description of the staff member) or only staff
with no department counts only when every department is chosen. The section is the
specialist section's (``audience``): a manager reads only the requests naming them,
so counts by department would tell a manager of requests kept from them. One
grouped query per table (the days: three)."""

from __future__ import annotations

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q

from accounts.models import Department
from mamoru.lib.figures import Row, Scope, Table, nearest_rank

from .choices import Outcome, RequestState
from .models import BusinessRequest

DEPARTMENT_NOTE = (
    "申入れの対象の職員の今の所属で数え、複数の所属の職員に関わる申入れも1件とする。"
    "職員を特定できていない申入れは、すべての所属を選んだときだけ数える。"
)


def requests_in_scope(scope: Scope):
    """The requests received in the period that count for the scope's departments, one row each."""
    concerns = Q(staff__department_id__in=scope.department_ids)
    if set(scope.department_ids) >= set(Department.objects.values_list("pk", flat=True)):
        named = BusinessRequest.staff.through.objects.filter(
            businessrequest_id=OuterRef("pk"), user__department__isnull=False
        )
        concerns |= ~Exists(named)
    return BusinessRequest.objects.filter(
        pk__in=BusinessRequest.objects.filter(concerns).values("pk"),
        received_on__gte=scope.period.start,
        received_on__lte=scope.period.end,
    )


def requests_by_step(scope: Scope) -> Table:
    counted = dict(requests_in_scope(scope).values_list("state").annotate(total=Count("id")).order_by())
    return Table(
        key="business_requests_by_step",
        title="段階別の申入れ（期間内に受け付けた申入れの今の段階）",
        row_header="段階",
        columns=["申入れ"],
        rows=[Row(label=str(state.label), values=[counted.get(state.value, 0)]) for state in RequestState]
        + [Row(label=code, values=[n]) for code, n in sorted(counted.items()) if code not in RequestState.values],
        public=True,
        note="受付日で数え、集計時点の段階で示す。" + DEPARTMENT_NOTE,
    )


def requests_by_outcome(scope: Scope) -> Table:
    grouped = (
        requests_in_scope(scope)
        .values("outcome")
        .annotate(
            total=Count("id"),
            guidance=Count("id", filter=Q(measure_guidance=True, measures_on__isnull=False)),
            training=Count("id", filter=Q(measure_training=True, measures_on__isnull=False)),
        )
        .order_by()
    )
    counted = {row["outcome"]: row for row in grouped}
    outcomes = [(o.value, str(o.label)) for o in Outcome] + [("", "調査中（未判断）")]
    outcomes += [(code, code) for code in sorted(counted) if code not in {c for c, _ in outcomes}]
    return Table(
        key="business_requests_by_outcome",
        title="調査結果別の申入れと職員への措置",
        row_header="調査結果",
        columns=["申入れ", "うち指導", "うち研修"],
        rows=[
            Row(
                label=label,
                values=[
                    counted.get(code, {}).get("total", 0),
                    counted.get(code, {}).get("guidance", 0),
                    counted.get(code, {}).get("training", 0),
                ],
            )
            for code, label in outcomes
        ],
        public=True,
        note="指導・研修は管理職が措置を決定したもの（1件に両方あることがある）。" + DEPARTMENT_NOTE,
    )


def days_to_reply(scope: Scope) -> Table:
    replied = requests_in_scope(scope).filter(reply_sent_on__isnull=False)
    took = ExpressionWrapper(F("reply_sent_on") - F("received_on"), output_field=DurationField())
    count = replied.count()

    def days(value):
        return None if value is None else value.days

    return Table(
        key="business_requests_days_to_reply",
        title="受付から事業者への回答までの日数",
        row_header="",
        columns=["回答した申入れ", "中央値（日）", "95パーセンタイル（日）"],
        rows=[
            Row(
                label="期間内に受け付け、回答した申入れ",
                values=[
                    count,
                    days(nearest_rank(replied, took, 0.5, count=count)),
                    days(nearest_rank(replied, took, 0.95, count=count)),
                ],
            )
        ],
        chart="",
        additive=False,
        public=False,
        note="受付日から回答日までの日数（順位による正確な値）。まだ回答していない申入れは含めない。",
    )


def business_request_figures(scope: Scope) -> list[Table]:
    return [requests_by_step(scope), requests_by_outcome(scope), days_to_reply(scope)]
