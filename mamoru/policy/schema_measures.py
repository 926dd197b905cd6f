"""The pack's rules for repeat behaviour, the measures ladder and letters.

Kept apart from ``schema`` so that each part of a pack reads as one short
module. ``schema.parse_pack`` calls the parsers here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.choices import Role

from .schema_base import Named, PolicyPackError, named_list, positive_int, text, texts

# How a repetition rule counts a resident's contacts, and how it reads in Japanese.
RULE_KINDS = {
    "contacts_in_days": "{days}日間に{threshold}回以上の意見等",
    "departments_in_days": "{days}日間に{threshold}部署以上への意見等",
    "contacts_in_day": "1日に{threshold}回以上の意見等",
    "minutes_in_days": "{days}日間の対応時間が合計{threshold}分以上",
}

# Roles that may approve (決裁) a measure, as the pack names them (accounts.choices.Role).
APPROVER_ROLES = (Role.SUPERVISOR.value, Role.MANAGER.value, Role.SPECIALIST.value)


@dataclass(frozen=True)
class RepetitionRule(Named):
    """A rule that proposes a 繰り返し flag for a resident; a person decides.

    ``threshold`` counts contacts, departments or minutes depending on ``kind``;
    ``channels`` narrows the contacts counted (empty: every channel)."""

    kind: str = "contacts_in_days"
    threshold: int = 1
    days: int = 1
    channels: tuple[str, ...] = ()

    def describe(self) -> str:
        return RULE_KINDS[self.kind].format(days=self.days, threshold=self.threshold)


@dataclass(frozen=True)
class Measure(Named):
    """One rung of the measures ladder (措置).

    ``approvers`` are the roles whose 決裁 the measure needs, in order, each by a
    different person than the drafter; ``letter`` is the title of the formal
    letter issued with it (empty: none); ``restricts`` marks measures whose
    conditions are applied when a contact starts (対応制限)."""

    approvers: tuple[str, ...] = ()
    letter: str = ""
    restricts: bool = False


@dataclass(frozen=True)
class Documents:
    """How the city numbers and signs its letters (文書番号 大総第123号)."""

    number_prefix: str
    issuer: str
    objection: str
    seal_label: str = "印"


def parse_repetition_rules(data: dict, channel_codes: set[str]) -> tuple[RepetitionRule, ...]:
    if "repetition_rules" not in data:
        return ()
    rules = []
    for index, named in enumerate(named_list(data, "repetition_rules", "")):
        item, path = data["repetition_rules"][index], f"repetition_rules[{index}]."
        kind = text(item, "kind", path)
        if kind not in RULE_KINDS:
            raise PolicyPackError(
                f"{path}kind",
                _("「{value}」は使えません（使える種類: {allowed}）").format(value=kind, allowed="、".join(RULE_KINDS)),
            )
        unit = _("分") if kind == "minutes_in_days" else _("回または部署数")
        threshold = positive_int(item, "threshold", path, unit=unit, maximum=100_000)
        days = 1 if kind == "contacts_in_day" else positive_int(item, "days", path, unit=_("日"), maximum=3650)
        channels = texts(item, "channels", path, required=False)
        unknown = [c for c in channels if c not in channel_codes]
        if unknown:
            raise PolicyPackError(
                f"{path}channels", _("チャネル「{value}」は channels にありません").format(value="、".join(unknown))
            )
        rules.append(RepetitionRule(named.code, named.name, kind, threshold, days, channels))
    return tuple(rules)


def parse_measures(data: dict) -> tuple[Measure, ...]:
    measures = []
    for index, named in enumerate(named_list(data, "measures", "")):
        item, path = data["measures"][index], f"measures[{index}]."
        approvers = texts(item, "approvers", path, required=False)
        unknown = [a for a in approvers if a not in APPROVER_ROLES]
        if unknown:
            raise PolicyPackError(
                f"{path}approvers",
                _("「{value}」は使えません（使える役割: {allowed}）").format(
                    value="、".join(unknown), allowed="、".join(APPROVER_ROLES)
                ),
            )
        restricts = item.get("restricts", False)
        if not isinstance(restricts, bool):
            raise PolicyPackError(f"{path}restricts", _("true または false が必要です"))
        letter = text(item, "letter", path, required=False)
        measures.append(Measure(named.code, named.name, approvers, letter, restricts))
    return tuple(measures)


def parse_documents(data: dict, city_name: str) -> Documents:
    """The ``[documents]`` table; a pack without one gets plain defaults."""
    table = data.get("documents")
    if table is None:
        return Documents(number_prefix=city_name[:1], issuer=f"{city_name}長", objection="")
    if not isinstance(table, dict):
        raise PolicyPackError("documents", _("表（[テーブル]）が必要です"))
    return Documents(
        number_prefix=text(table, "number_prefix", "documents."),
        issuer=text(table, "issuer", "documents."),
        objection=text(table, "objection", "documents.", required=False),
        seal_label=text(table, "seal_label", "documents.", required=False) or "印",
    )
