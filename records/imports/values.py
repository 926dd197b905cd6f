"""One cell's value, as a city writes it, → what a contact holds: dates and
times (through ``mamoru.lib.dates``) and the answers of the fixed choices
(該当/非該当/検討中, はい/いいえ/わからない, with their usual variants)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from mamoru.lib import dates
from mamoru.lib.japanese import normalize_compact
from mamoru.lib.spreadsheet import cell_raw, cell_text

from ..choices import DefinitionAnswer, HarassmentJudgement
from ..fields import ContactField
from ..rules import earliest_record_date


class RowError(ValueError):
    """One value of one row cannot be read; the message is Japanese."""


def check_day(day: dt.date, cell) -> None:
    """A contact's day within the city's records (``records.rules``): 0001/1/1
    or a day in the future is a typing mistake, reported before anything
    computes with it."""
    earliest = earliest_record_date()
    if day < earliest:
        raise RowError(
            _("日付「{value}」は{year}年{month}月{day}日より前です").format(
                value=cell_raw(cell), year=earliest.year, month=earliest.month, day=earliest.day
            )
        )
    if day > timezone.localdate() + dt.timedelta(days=1):
        raise RowError(_("日付「{value}」が未来になっています").format(value=cell_raw(cell)))


def parse_date(value) -> tuple[dt.date, dt.time | None]:
    """A date cell or text → (date, time of day if the cell carried one)."""
    try:
        return dates.parse_date(value)
    except dates.DateParseError as error:
        raise RowError(str(error)) from error


def parse_time(value) -> dt.time:
    """A time cell or text (9:05, 9時5分, 午後1時) → a time of day."""
    try:
        return dates.parse_time(value)
    except dates.DateParseError as error:
        raise RowError(str(error)) from error


def parse_minutes(value) -> float:
    """A duration in minutes: 30, 30分, 1時間30分, 1:30 (h:mm), or an Excel time cell."""
    try:
        return dates.parse_minutes(value)
    except dates.DateParseError as error:
        raise RowError(str(error)) from error


# What cities write for each answer, by choice; the first word of each is named in the message
# of a value that cannot be read. An empty cell is the first choice whose words hold "".
CHOICE_WORDS = {
    HarassmentJudgement: {
        HarassmentJudgement.YES: (
            "該当", "該当する", "該当あり", "カスハラ", "はい", "yes", "y", "○", "〇", "◯", "有", "あり", "true", "1",
        ),
        HarassmentJudgement.NO: (
            "非該当", "該当しない", "いいえ", "no", "n", "×", "✕", "無", "なし", "false", "0", "-",
        ),
        # a blank cell was never judged: 未判断, never "not harassment"
        HarassmentJudgement.UNDECIDED: ("", "未判断", "未判定", "判断なし", "未記入"),
        HarassmentJudgement.UNSURE: (
            "検討中", "判断に迷う", "迷う", "保留", "判断保留", "不明", "相談中", "要検討", "確認中", "△", "?",
        ),
    },
    DefinitionAnswer: {
        DefinitionAnswer.YES: ("はい", "yes", "y", "○", "〇", "◯", "該当", "あり", "有", "true", "1"),
        DefinitionAnswer.NO: ("いいえ", "no", "n", "×", "✕", "非該当", "なし", "無", "false", "0"),
        DefinitionAnswer.UNKNOWN: ("わからない", "分からない", "不明", "?", "△", "判断できない"),
    },
}  # fmt: skip


def parse_choice(spec: ContactField, value) -> str:
    """A cell of a field with fixed choices (``spec.choices``) → its value.
    Each choice's label and value are understood too; a blank cell is the
    blank answer where the field has one."""
    text = normalize_compact(cell_text(value))
    if spec.blank_choice and not text:
        return ""
    words_by_choice = CHOICE_WORDS.get(spec.choices, {})
    words = {normalize_compact(word): choice for choice, options in words_by_choice.items() for word in options}
    for choice in spec.choices:
        words[normalize_compact(str(choice.label))] = choice.value
        words[choice.value] = choice.value
    if text in words:
        return str(words[text])
    hint = "・".join(options[0] for options in words_by_choice.values()) or "・".join(
        str(label) for label in spec.choices.labels
    )
    raise RowError(
        _("{label}「{value}」を読めません（{choices} のいずれか）").format(
            label=spec.import_label or spec.label, value=cell_raw(value), choices=hint
        )
    )
