"""The dashboard's first lines: the period's main contact figures beside the
period before (two aggregate queries, whatever the number of contacts)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Coalesce

from mamoru.lib.figures import Scope
from mamoru.policy.loader import current as current_policy
from records.choices import HarassmentJudgement
from records.figures import contact_list_link, contacts_in_scope

from .display import format_value
from .periods import previous_period


@dataclass
class Headline:
    label: str
    value: str
    previous: str
    change: str
    link: str = ""


def _figures(scope: Scope) -> dict:
    limit_seconds = current_policy().response_time.limit_minutes * 60
    totals = contacts_in_scope(scope).aggregate(
        total=Count("id"),
        yes=Count("id", filter=Q(harassment=HarassmentJudgement.YES)),
        ended=Count("id", filter=Q(ended_at__isnull=False)),
        over=Count("id", filter=Q(ended_at__isnull=False, duration_seconds__gt=limit_seconds)),
        seconds=Coalesce(Sum("duration_seconds"), 0, output_field=IntegerField()),
        unsure=Count("id", filter=Q(harassment=HarassmentJudgement.UNSURE)),
        undecided=Count("id", filter=Q(harassment=HarassmentJudgement.UNDECIDED, ended_at__isnull=False)),
    )
    totals["share"] = round(100 * totals["over"] / totals["ended"], 1) if totals["ended"] else None
    totals["hours"] = round(totals["seconds"] / 3600, 1)
    return totals


def _change(now, before) -> str:
    if now is None or before is None:
        return "－"
    difference = now - before
    if isinstance(difference, float):
        difference = round(difference, 1)
    return "±0" if not difference else f"{difference:+,}"


def headlines(scope: Scope) -> list[Headline]:
    style = getattr(scope.user, "date_style", "wareki") or "wareki"
    now = _figures(scope)
    before = _figures(replace(scope, period=previous_period(scope.period, style)))
    rows = (
        ("対応件数", "total", "int", contact_list_link(scope)),
        ("うちカスハラ（該当する）", "yes", "int", contact_list_link(scope, harassment=HarassmentJudgement.YES)),
        ("対応時間の上限を超えた割合（%）", "share", "percent", contact_list_link(scope, over_limit=1)),
        ("延べ対応時間（時間）", "hours", "hours", ""),
        ("判断に迷う（未決定）", "unsure", "int", contact_list_link(scope, harassment=HarassmentJudgement.UNSURE)),
        ("未判断", "undecided", "int", contact_list_link(scope, harassment=HarassmentJudgement.UNDECIDED)),
    )
    return [
        Headline(
            label=label,
            value=format_value(now[key], kind),
            previous=format_value(before[key], kind),
            change=_change(now[key], before[key]),
            link=link,
        )
        for label, key, kind, link in rows
    ]
