"""The rules a contact record must meet, whoever writes it: the contact form,
the API, the spreadsheet import, the live clock.

``records.services.validate_contact_data`` applies them (with the actor's
scope) before every save; the contact form calls ``contact_rule_errors`` as
well, to show the same messages next to the same fields as it is filled in.
Each rule is read from the field declaration (``records.fields``) where it can
be: a new field of a known kind is checked without a line here."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import DefinitionAnswer, HarassmentJudgement
from .fields import BY_NAME, CHOICE, CODES, CONTACT_FIELDS, MOMENT, REASON, fields_of

# Answers to the definition check that a reason must explain: "yes" to (a) or (b), any harm in (c).
_ANSWERS_NEEDING_A_REASON = {CHOICE: lambda value: value == DefinitionAnswer.YES, CODES: bool}


def _length_errors(data) -> dict[str, str]:
    errors = {}
    for spec in CONTACT_FIELDS:
        if not spec.is_text:
            continue
        length, max_length = len(getattr(data, spec.name) or ""), spec.max_length or settings.MAMORU_TEXT_LIMIT
        if length > max_length:
            errors[spec.name] = _("{max_length}文字以内で入力してください（現在{length}文字）。").format(
                max_length=max_length, length=length
            )
    return errors


def _choice_errors(data, pack) -> dict[str, str]:
    errors = {}
    for spec in fields_of(CHOICE):
        value = getattr(data, spec.name)
        if value in spec.choice_values(pack) or (spec.blank_choice and value == ""):
            continue
        if spec.pack_choices:  # e.g. 対応方法「fax」はポリシーパックにありません。
            errors[spec.name] = _("{label}「{value}」はポリシーパックにありません。").format(
                label=spec.label, value=value
            )
        elif spec.blank_choice:  # e.g. はい・いいえ・わからない のいずれかを選んでください。
            errors[spec.name] = _("{answers} のいずれかを選んでください。").format(
                answers="・".join(spec.choice_names(pack).values())
            )
        else:  # e.g. カスタマーハラスメントの判断を選んでください。
            errors[spec.name] = _("{label}を選んでください。").format(label=spec.label)
    for spec in fields_of(CODES):
        unknown = sorted(set(getattr(data, spec.name)) - set(spec.choice_values(pack)))
        if not unknown:
            continue
        if spec.name == "categories":
            errors[spec.name] = _("ポリシーパックにない類型コードです: {value}").format(value=", ".join(unknown))
        else:
            errors[spec.name] = _("ポリシーパックにない{label}の区分です: {value}").format(
                label=_("被害") if spec.name == "harms" else spec.label, value=", ".join(unknown)
            )
    return errors


def earliest_record_date() -> dt.date:
    """The first day a contact may be dated (``MAMORU_EARLIEST_RECORD_DATE``)."""
    return dt.date.fromisoformat(settings.MAMORU_EARLIEST_RECORD_DATE)


def _moment_error(value: dt.datetime, label: str, now: dt.datetime) -> str | None:
    """Why a moment cannot be a contact's: before the city's records or in the
    future. The year is compared first, so that a moment at the calendar's edge
    (year 1) is refused before anything converts it between time zones."""
    earliest = earliest_record_date()
    if value.year < earliest.year or (value.year == earliest.year and value.date() < earliest):
        return _("{label}は{year}年{month}月{day}日以降の日付を入力してください。").format(
            label=label, year=earliest.year, month=earliest.month, day=earliest.day
        )
    if value.year > now.year + 1 or value > now + dt.timedelta(minutes=5):
        return _("{label}が未来になっています。").format(label=label)
    return None


def _time_errors(data) -> dict[str, str]:
    errors = {}
    now = timezone.now()
    for spec in fields_of(MOMENT):
        value = getattr(data, spec.name)
        if value is not None and (message := _moment_error(value, spec.label, now)):
            errors[spec.name] = message
    if data.started_at is None:
        errors["started_at"] = _("開始日時を入力してください。")
    if errors:
        return errors
    if data.started_at and data.ended_at and data.ended_at < data.started_at:
        errors["ended_at"] = _("終了日時が開始日時より前になっています。")
    return errors


def _definition_errors(data) -> dict[str, str]:
    """The guided definition check (基本方針の定義): an answer that calls for a
    reason has one, and a judgement of harassment rests on (a) or (b)."""
    errors = {}
    for spec in fields_of(REASON):
        if not spec.reason_for:
            continue
        answer = BY_NAME[spec.reason_for]
        if (
            _ANSWERS_NEEDING_A_REASON[answer.kind](getattr(data, answer.name))
            and not (getattr(data, spec.name) or "").strip()
        ):
            if answer.kind == CODES:
                errors[spec.name] = _("被害の内容を記入してください。")
            else:
                errors[spec.name] = _("「はい」とした理由を記入してください。")
    if (
        data.harassment == HarassmentJudgement.YES
        and data.content_unreasonable == DefinitionAnswer.NO
        and data.manner_inappropriate == DefinitionAnswer.NO
    ):
        errors["harassment"] = _("(a)・(b)がともに「いいえ」の場合、基本方針のカスタマーハラスメントには該当しません。")
    return errors


def contact_rule_errors(data, *, pack) -> dict[str, str]:
    """Field name → the Japanese message of the first rule ``data`` (a
    ``ContactData``) breaks, for every rule that needs no actor: the policy
    pack's choices, lengths, times and the definition check."""
    errors = _time_errors(data)
    errors.update(_length_errors(data))
    for name, message in _choice_errors(data, pack).items():
        errors.setdefault(name, message)
    if data.harassment == HarassmentJudgement.YES and not data.categories and "categories" not in errors:
        errors["categories"] = _("カスタマーハラスメントに該当する場合は、類型を1つ以上選んでください。")
    for name, message in _definition_errors(data).items():
        errors.setdefault(name, message)
    return errors
