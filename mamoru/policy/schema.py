"""The shape of a policy pack, and its validation.

A pack is a TOML document. ``parse_pack`` turns it into frozen dataclasses and
raises ``PolicyPackError`` whose message names the bad field in Japanese.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .schema_base import Category, Named, PolicyPackError
from .schema_base import code as _code
from .schema_base import named_list as _named_list
from .schema_base import positive_int as _positive_int
from .schema_base import table as _table
from .schema_base import text as _text
from .schema_base import texts as _texts
from .schema_measures import (
    Documents,
    Measure,
    RepetitionRule,
    parse_documents,
    parse_measures,
    parse_repetition_rules,
)
from .schema_online import OnlinePostRules, parse_online_posts
from .schema_retention import EvidenceRetention, parse_evidence_retention


@dataclass(frozen=True)
class ResponseTime:
    limit_minutes: int
    warning_minutes: int
    principle: str
    next_steps: tuple[str, ...]


@dataclass(frozen=True)
class BackupCallRules:
    escalation_seconds: int


# Published counts under this many are shown as 「10未満」 (the rule many Japanese public statistics use).
DEFAULT_SUPPRESSION_THRESHOLD = 10


@dataclass(frozen=True)
class StatisticsRules:
    """``[statistics]``: the published yearly report shows a count under
    ``suppression_threshold`` as 「N未満」 (and hides a second where a total would reveal it)."""

    suppression_threshold: int = DEFAULT_SUPPRESSION_THRESHOLD


# Hours a contact may stay 未判断 after it ended before it is on the to-do lists.
DEFAULT_JUDGEMENT_DUE_HOURS = 24


@dataclass(frozen=True)
class JudgementRules:
    """``[judgement]``: how long an ended contact may stay 未判断 before it is
    listed on its staff member's and their supervisors' to-do lists."""

    due_hours: int = DEFAULT_JUDGEMENT_DUE_HOURS


# Details a case step may ask for (e.g. the police step), with their labels.
STEP_DETAIL_FIELDS = {
    "station": "通報先（110番または警察署名）",
    "officer": "対応した警察官",
    "reference": "受理番号",
}


@dataclass(frozen=True)
class CaseStep(Named):
    """One thing staff do in an incident case, with the sentence they say.
    ``counted`` steps (request to stop, exit order) number their repetitions."""

    wording: str = ""
    counted: bool = False
    recommended_repeats: int | None = None
    details: tuple[str, ...] = ()

    def detail_fields(self) -> list[tuple[str, str]]:
        return [(code, STEP_DETAIL_FIELDS[code]) for code in self.details]


@dataclass(frozen=True)
class Definition:
    text: str
    content_test: str
    manner_test: str
    harm_test: str
    harms: tuple[Named, ...]


@dataclass(frozen=True)
class City:
    name: str
    specialist_section: str
    specialist_section_code: str
    contact: str


@dataclass(frozen=True)
class PolicyPack:
    code: str
    title: str
    effective_from: dt.date | None
    city: City
    definition: Definition
    response_time: ResponseTime
    backup_call: BackupCallRules
    channels: tuple[Named, ...]
    categories: tuple[Category, ...]
    measures: tuple[Measure, ...]
    case_states: tuple[Named, ...] = ()
    case_steps: tuple[CaseStep, ...] = ()
    follow_up_kinds: tuple[Named, ...] = ()
    repetition_rules: tuple[RepetitionRule, ...] = ()
    documents: Documents | None = None
    judgement: JudgementRules = JudgementRules()
    evidence_retention: EvidenceRetention | None = None
    online_posts: OnlinePostRules = OnlinePostRules()
    statistics: StatisticsRules = StatisticsRules()
    source_text: str = field(default="", repr=False, compare=False)

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def category_codes(self) -> list[str]:
        return [c.code for c in self.categories]

    def category_names(self) -> dict[str, str]:
        return {c.code: c.name for c in self.categories}

    def channel_choices(self) -> list[tuple[str, str]]:
        return [(c.code, c.name) for c in self.channels]

    def channel_name(self, code: str) -> str:
        return next((c.name for c in self.channels if c.code == code), code)

    def category_choices(self) -> list[tuple[str, str]]:
        return [(c.code, c.name) for c in self.categories]

    def harm_choices(self) -> list[tuple[str, str]]:
        return [(h.code, h.name) for h in self.definition.harms]

    def case_state_codes(self) -> list[str]:
        """Case states in order: the first is where a case opens, the last closes it."""
        return [s.code for s in self.case_states]

    def case_state_name(self, code: str) -> str:
        return next((s.name for s in self.case_states if s.code == code), code)

    def case_step(self, code: str) -> CaseStep | None:
        return next((s for s in self.case_steps if s.code == code), None)

    def follow_up_kind_choices(self) -> list[tuple[str, str]]:
        return [(k.code, k.name) for k in self.follow_up_kinds]

    def measure(self, code: str) -> Measure | None:
        return next((m for m in self.measures if m.code == code), None)

    def measure_choices(self) -> list[tuple[str, str]]:
        return [(m.code, m.name) for m in self.measures]

    def repetition_rule(self, code: str) -> RepetitionRule | None:
        return next((r for r in self.repetition_rules if r.code == code), None)

    def follow_up_kind_name(self, code: str) -> str:
        return next((k.name for k in self.follow_up_kinds if k.code == code), code)


def _case_steps(data: dict) -> tuple[CaseStep, ...]:
    steps = []
    for index, named in enumerate(_named_list(data, "case_steps", "")):
        item, path = data["case_steps"][index], f"case_steps[{index}]."
        counted = item.get("counted", False)
        if not isinstance(counted, bool):
            raise PolicyPackError(f"{path}counted", _("true または false が必要です"))
        repeats = None
        if "recommended_repeats" in item:
            repeats = _positive_int(item, "recommended_repeats", path, unit=_("回"), maximum=100)
            if not counted:
                raise PolicyPackError(
                    f"{path}recommended_repeats", _("回数を数える手順（counted = true）にのみ指定できます")
                )
        details = _texts(item, "details", path, required=False)
        unknown = [d for d in details if d not in STEP_DETAIL_FIELDS]
        if unknown:
            raise PolicyPackError(
                f"{path}details",
                _("「{value}」は使えません（使える項目: {allowed}）").format(
                    value="、".join(unknown), allowed="、".join(STEP_DETAIL_FIELDS)
                ),
            )
        steps.append(
            CaseStep(
                named.code,
                named.name,
                wording=_text(item, "wording", path, required=False),
                counted=counted,
                recommended_repeats=repeats,
                details=details,
            )
        )
    return tuple(steps)


def _case_states(data: dict) -> tuple[Named, ...]:
    states = _named_list(data, "case_states", "")
    if len(states) < 2:
        raise PolicyPackError("case_states", _("開始と終結の2件以上が必要です（最初が開始、最後が終結）"))
    return states


def _judgement(data: dict) -> JudgementRules:
    """The optional ``[judgement]`` table; without it the defaults apply."""
    if "judgement" not in data:
        return JudgementRules()
    rules = _table(data, "judgement", "")
    if "due_hours" not in rules:
        return JudgementRules()
    return JudgementRules(due_hours=_positive_int(rules, "due_hours", "judgement.", unit=_("時間"), maximum=24 * 90))


def _statistics(data: dict) -> StatisticsRules:
    """The optional ``[statistics]`` table; without it the defaults apply."""
    if "statistics" not in data:
        return StatisticsRules()
    rules = _table(data, "statistics", "")
    if "suppression_threshold" not in rules:
        return StatisticsRules()
    return StatisticsRules(
        suppression_threshold=_positive_int(rules, "suppression_threshold", "statistics.", unit=_("件"), maximum=1000)
    )


# A pack is a few kilobytes (otawara.toml: 11 KB) and four levels deep; far more is not a pack.
MAX_PACK_CHARACTERS = 256 * 1024
MAX_PACK_DEPTH = 8
# A contact lasts a day at most: the pack's time limits are counted in minutes within it.
MAX_CONTACT_MINUTES = 24 * 60


def _depth(value, level: int = 0) -> int:
    """How deep tables and arrays nest in ``value`` (stops counting past the limit)."""
    if level > MAX_PACK_DEPTH:
        return level
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return max((_depth(child, level + 1) for child in children), default=level)


def parse_pack(source: str) -> PolicyPack:
    """Parse and validate a policy pack written in TOML."""
    if len(source) > MAX_PACK_CHARACTERS:
        raise PolicyPackError(
            "(TOML)",
            _("ファイルが大きすぎます（{size}文字、上限{limit}文字）").format(
                size=len(source), limit=MAX_PACK_CHARACTERS
            ),
        )
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyPackError("(TOML)", _("TOML として読めません（{exc}）").format(exc=exc)) from exc
    except RecursionError as exc:  # [[[[…]]]] nested thousands deep: tomllib recurses per level
        raise PolicyPackError("(TOML)", _("入れ子（配列・表）が深すぎます")) from exc
    if _depth(data) > MAX_PACK_DEPTH:
        raise PolicyPackError(
            "(TOML)", _("入れ子（配列・表）が深すぎます（{limit}段まで）").format(limit=MAX_PACK_DEPTH)
        )

    pack = _table(data, "pack", "")
    effective = pack.get("effective_from")
    if effective is not None and not isinstance(effective, dt.date):
        raise PolicyPackError("pack.effective_from", _("日付（例: 2025-12-19）が必要です"))

    backup = _table(data, "backup_call", "")
    city = _table(data, "city", "")
    definition = _table(data, "definition", "")
    timing = _table(data, "response_time", "")
    limit = _positive_int(timing, "limit_minutes", "response_time.", maximum=MAX_CONTACT_MINUTES)
    warning = _positive_int(timing, "warning_minutes", "response_time.", maximum=MAX_CONTACT_MINUTES)
    if warning >= limit:
        raise PolicyPackError(
            "response_time.warning_minutes", _("警告時間は上限時間（limit_minutes）より短くしてください")
        )

    channels = _named_list(data, "channels", "")
    city_name = _text(city, "name", "city.")
    return PolicyPack(
        code=_code(pack, "pack."),
        title=_text(pack, "title", "pack."),
        effective_from=effective,
        city=City(
            name=city_name,
            specialist_section=_text(city, "specialist_section", "city."),
            specialist_section_code=_text(city, "specialist_section_code", "city."),
            contact=_text(city, "contact", "city.", required=False),
        ),
        definition=Definition(
            text=_text(definition, "text", "definition."),
            content_test=_text(definition, "content_test", "definition."),
            manner_test=_text(definition, "manner_test", "definition."),
            harm_test=_text(definition, "harm_test", "definition."),
            harms=_named_list(definition, "harms", "definition."),
        ),
        response_time=ResponseTime(
            limit_minutes=limit,
            warning_minutes=warning,
            principle=_text(timing, "principle", "response_time."),
            next_steps=_texts(timing, "next_steps", "response_time.", required=False),
        ),
        backup_call=BackupCallRules(
            escalation_seconds=_positive_int(backup, "escalation_seconds", "backup_call.", unit=_("秒"), maximum=3600)
        ),
        channels=channels,
        categories=_named_list(data, "categories", "", with_examples=True),
        measures=parse_measures(data),
        case_states=_case_states(data),
        case_steps=_case_steps(data),
        follow_up_kinds=_named_list(data, "follow_up_kinds", ""),
        repetition_rules=parse_repetition_rules(data, {c.code for c in channels}),
        documents=parse_documents(data, city_name),
        judgement=_judgement(data),
        evidence_retention=parse_evidence_retention(data),
        online_posts=parse_online_posts(data),
        statistics=_statistics(data),
        source_text=source,
    )
