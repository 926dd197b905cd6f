"""The dashboard's first lines: the period's main contact figures beside the
period before, read from the contact tallies (``records.figures.contact_totals``:
two queries a period, whatever the number of contacts)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from mamoru.lib.figures import Scope
from records.choices import HarassmentJudgement
from records.figures import contact_list_link, contact_totals

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
    totals = contact_totals(scope)
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
