"""``[evidence_retention]``: how long each kind of evidence is kept before
``python -m mamoru evidence-retention`` deletes it (docs/evidence.md).

Periods are written as people write them: 「3か月」「90日」「2週間」「5年」「1年6か月」,
ISO 8601 (``P3M``, ``P1Y6M``) or English (``3 months``); 「無期限」 keeps a kind until
someone deletes it. Anything else is refused with the key it was found under."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .schema_base import PolicyPackError

# The kinds of evidence (evidence.choices.EvidenceKind; the pack may not import the app).
EVIDENCE_KINDS = ("recording", "video", "photo", "screenshot", "document", "other")
INDEFINITE = ("無期限", "indefinite", "forever")
MAX_YEARS = 100

_JAPANESE = re.compile(r"^(?:(\d+)年)?(?:(\d+)[かカヶケヵ箇]月)?(?:(\d+)週間?)?(?:(\d+)日)?$")
_ISO = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$", re.IGNORECASE)
_ENGLISH = re.compile(
    r"^(?:(\d+)years?)?(?:(\d+)months?)?(?:(\d+)weeks?)?(?:(\d+)days?)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Period:
    """A calendar period: years and months are calendar months (31 Jan + 1 month = 28/29 Feb)."""

    years: int = 0
    months: int = 0
    days: int = 0

    def after(self, moment: dt.datetime) -> dt.datetime:
        months = moment.month - 1 + self.months + 12 * self.years
        year, month = moment.year + months // 12, months % 12 + 1
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day) + dt.timedelta(days=self.days)

    @property
    def label(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years}年")
        if self.months:
            parts.append(f"{self.months}か月")
        if self.days:
            parts.append(f"{self.days}日")
        return "".join(parts)


def parse_period(value, field_path: str) -> Period | None:
    """A period from the pack (``None``: 無期限), or ``PolicyPackError`` naming ``field_path``."""
    example = _("「3か月」「90日」「5年」「1年6か月」「P3M」または「無期限」のように書いてください")
    if not isinstance(value, str):
        raise PolicyPackError(field_path, _("期間の文字列が必要です（数字だけでは単位が分かりません）。") + example)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    if text.lower() in INDEFINITE:
        return None
    for pattern in (_JAPANESE, _ISO, _ENGLISH):
        match = pattern.match(text)
        if match and any(match.groups()):
            years, months, weeks, days = (int(group or 0) for group in match.groups())
            break
    else:
        raise PolicyPackError(field_path, _("「{value}」は期間として読めません。").format(value=value) + example)
    period = Period(years=years, months=months, days=days + 7 * weeks)
    if period == Period():
        raise PolicyPackError(field_path, _("0 より長い期間にしてください（「{value}」）").format(value=value))
    if years * 366 + months * 31 + period.days > MAX_YEARS * 366:
        raise PolicyPackError(
            field_path, _("{limit}年以内の期間にしてください（「{value}」）").format(limit=MAX_YEARS, value=value)
        )
    return period


@dataclass(frozen=True)
class EvidenceRetention:
    """Kept for ``period_for(kind)`` from when it was added; evidence of a case (or of a
    contact in a case, or cited by a measure) is kept while the case or a measure about
    the resident is open, and ``after_case_closed`` after the last of them ended."""

    default: Period | None
    kinds: tuple[tuple[str, Period | None], ...]
    after_case_closed: Period | None

    def period_for(self, kind: str) -> Period | None:
        return dict(self.kinds).get(kind, self.default)

    def period_label(self, kind: str) -> str:
        period = self.period_for(kind)
        return period.label if period is not None else _("無期限")


def parse_evidence_retention(data: dict) -> EvidenceRetention | None:
    """The optional ``[evidence_retention]`` table; without it nothing is deleted."""
    if "evidence_retention" not in data:
        return None
    table = data["evidence_retention"]
    if not isinstance(table, dict):
        raise PolicyPackError("evidence_retention", _("表（[テーブル]）が必要です"))
    path = "evidence_retention."
    for required in ("default", "after_case_closed"):
        if required not in table:
            raise PolicyPackError(f"{path}{required}", _("期間を指定してください（例: 「1年」、または「無期限」）"))
    unknown = sorted(set(table) - {"default", "after_case_closed", "kinds"})
    if unknown:
        raise PolicyPackError(
            f"{path}{unknown[0]}", _("知らない項目です（使える項目: default、after_case_closed、kinds）")
        )
    kinds_table = table.get("kinds", {})
    if not isinstance(kinds_table, dict):
        raise PolicyPackError(f"{path}kinds", _("表（[evidence_retention.kinds]）が必要です"))
    kinds = []
    for kind, value in kinds_table.items():
        if kind not in EVIDENCE_KINDS:
            raise PolicyPackError(
                f"{path}kinds.{kind}",
                _("証拠の種類「{kind}」はありません（使える種類: {allowed}）").format(
                    kind=kind, allowed="、".join(EVIDENCE_KINDS)
                ),
            )
        kinds.append((kind, parse_period(value, f"{path}kinds.{kind}")))
    return EvidenceRetention(
        default=parse_period(table["default"], f"{path}default"),
        kinds=tuple(kinds),
        after_case_closed=parse_period(table["after_case_closed"], f"{path}after_case_closed"),
    )
