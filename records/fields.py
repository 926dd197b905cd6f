"""The contact's recorded fields, each declared once.

``ContactData`` (what the services save), the saving (``records.services``),
the snapshot kept in revisions and the audit log, the rules
(``records.rules``), the contact form, the API's schemas and the spreadsheet
import all read this list. Adding a field to the contact record is one line
here, plus the model field and its migration; a kind that none of them knows
yet needs a line in each of those places too.

The kinds:

- ``relation``: a department, member of staff or resident (the API names it
  by ``lookup``: ``department_id``, ``staff_username``, ``resident_id``);
- ``staff_list``: members of staff (同席職員), a many-to-many relation;
- ``moment``: a date and time;
- ``short_text``: one line, at most ``max_length`` characters;
- ``text``: free text, at most ``MAMORU_TEXT_LIMIT`` characters;
- ``reason``: free text explaining an answer (``reason_for``), needed when the
  answer calls for it (see ``records.rules``);
- ``choice``: one value from ``choices`` (a ``TextChoices``) or from the policy
  pack (``pack_choices``, the pack's method listing them);
- ``codes``: several of the pack's codes (``pack_choices``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DefinitionAnswer, HarassmentJudgement

RELATION = "relation"
STAFF_LIST = "staff_list"
MOMENT = "moment"
SHORT_TEXT = "short_text"
TEXT = "text"
REASON = "reason"
CHOICE = "choice"
CODES = "codes"

# Kinds held as text on the contact (saved as written, "" when empty).
TEXT_KINDS = (SHORT_TEXT, TEXT, REASON)
# Kinds held as a list.
LIST_KINDS = (STAFF_LIST, CODES)


@dataclass(frozen=True)
class ContactField:
    """One recorded field of a contact. See the module docstring for the kinds."""

    name: str
    kind: str
    label: str
    required: bool = False
    default: object = None
    max_length: int | None = None  # short_text
    choices: type[models.TextChoices] | None = None  # choice
    blank_choice: bool = False  # choice: "" (未回答) is an answer too
    pack_choices: str = ""  # choice, codes: the policy pack's method listing (code, name)
    lookup: str = ""  # relation, staff_list: how the API names the object ("id", "username")
    reason_for: str = ""  # reason: the field whose answer it explains
    # The contact form's presentation.
    help_text: str = ""
    rows: int = 4
    # The spreadsheet import: the headers of a city's sheet that fill this field, and the
    # word used for it in the import's messages (``label`` when empty).
    import_headers: tuple[str, ...] = ()
    import_label: str = ""

    @property
    def is_list(self) -> bool:
        return self.kind in LIST_KINDS

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    def default_value(self):
        if self.is_list:
            return []
        if self.is_text or (self.kind == CHOICE and self.blank_choice):
            return ""
        return self.default

    def choice_values(self, pack) -> list[str]:
        """The values a choice or codes field accepts (without the blank answer)."""
        if self.pack_choices:
            return [code for code, _name in getattr(pack, self.pack_choices)()]
        return list(self.choices.values) if self.choices else []

    def choice_names(self, pack) -> dict[str, str]:
        """Value → Japanese name."""
        if self.pack_choices:
            return dict(getattr(pack, self.pack_choices)())
        return {value: str(label) for value, label in self.choices.choices} if self.choices else {}


CONTACT_FIELDS: tuple[ContactField, ...] = (
    ContactField(
        "department",
        RELATION,
        _("担当課"),
        required=True,
        lookup="id",
        import_headers=("担当課", "部署", "所属", "課", "担当部署"),
    ),
    ContactField(
        "channel",
        CHOICE,
        _("対応方法"),
        required=True,
        pack_choices="channel_choices",
        import_headers=("方法", "手段", "チャネル", "対応方法", "対応手段"),
    ),
    ContactField(
        "staff",
        RELATION,
        _("対応職員"),
        required=True,
        lookup="username",
        import_label=_("対応者"),
        import_headers=("対応者", "担当者", "対応職員", "職員"),
    ),
    ContactField("other_staff", STAFF_LIST, _("同席職員"), lookup="username"),
    ContactField("resident", RELATION, _("住民等"), lookup="id"),
    ContactField(
        "resident_description",
        SHORT_TEXT,
        _("住民等の特徴（氏名不明の場合）"),
        max_length=200,
        import_label=_("住民等の特徴"),
        import_headers=("特徴", "住民等の特徴"),
    ),
    ContactField(
        "place",
        SHORT_TEXT,
        _("場所（窓口番号・内線など）"),
        max_length=100,
        help_text=_("電話は受けた内線、窓口は窓口番号、訪問は訪問先"),
        import_label=_("場所"),
        import_headers=("場所", "対応場所"),
    ),
    ContactField("started_at", MOMENT, _("開始日時"), required=True),
    ContactField("ended_at", MOMENT, _("終了日時")),
    ContactField("summary", SHORT_TEXT, _("件名"), max_length=200, import_headers=("件名", "概要", "表題")),
    ContactField(
        "request_content",
        TEXT,
        _("意見等の内容"),
        help_text=_("何についての意見・要望・苦情か"),
        import_headers=("内容", "意見等の内容", "要望内容", "相談内容"),
    ),
    ContactField(
        "words_and_behaviour",
        TEXT,
        _("住民等の言動"),
        rows=6,
        help_text=_("発言は要約せず、そのまま「」で記録してください。態度・行動も記録します。"),
        import_label=_("言動"),
        import_headers=("言動", "発言", "住民等の言動"),
    ),
    ContactField("staff_response", TEXT, _("職員の対応"), import_headers=("対応", "職員の対応", "対応内容")),
    ContactField("outcome", TEXT, _("結果"), rows=3, import_headers=("結果", "対応結果")),
    ContactField(
        "harassment",
        CHOICE,
        _("カスタマーハラスメントの判断"),
        required=True,
        choices=HarassmentJudgement,
        default=HarassmentJudgement.UNDECIDED,
        import_label=_("カスハラ該当"),
        import_headers=("カスハラ該当", "判断", "カスハラ判断", "カスハラ", "該当"),
    ),
    ContactField(
        "categories",
        CODES,
        _("該当する類型"),
        pack_choices="category_choices",
        import_label=_("類型"),
        import_headers=("類型", "該当類型"),
    ),
    ContactField(
        "content_unreasonable",
        CHOICE,
        _("内容が著しく妥当性を欠くか"),
        choices=DefinitionAnswer,
        blank_choice=True,
        import_label=_("要求の内容"),
        import_headers=("(a)要求の内容", "(a)", "内容の妥当性", "内容が著しく妥当性を欠くか"),
    ),
    ContactField(
        "content_reason",
        REASON,
        _("内容についての理由"),
        reason_for="content_unreasonable",
        rows=2,
        import_headers=("(a)の理由", "内容についての理由", "内容の理由"),
    ),
    ContactField(
        "manner_inappropriate",
        CHOICE,
        _("手段・態様が社会通念上不相当か"),
        choices=DefinitionAnswer,
        blank_choice=True,
        import_label=_("手段・態様"),
        import_headers=("(b)手段・態様", "(b)", "手段・態様", "手段・態様が社会通念上不相当か"),
    ),
    ContactField(
        "manner_reason",
        REASON,
        _("手段・態様についての理由"),
        reason_for="manner_inappropriate",
        rows=2,
        import_headers=("(b)の理由", "手段・態様についての理由", "態様の理由"),
    ),
    ContactField(
        "harms",
        CODES,
        _("生じた被害"),
        pack_choices="harm_choices",
        import_headers=("(c)生じた被害", "(c)", "生じた被害"),
    ),
    ContactField(
        "harm_reason",
        REASON,
        _("被害についての理由"),
        reason_for="harms",
        rows=2,
        import_headers=("(c)の理由", "被害についての理由", "被害の理由"),
    ),
    # Why a contact went outside an active response restriction (対応制限) of the resident.
    ContactField("restriction_exception_reason", REASON, _("対応制限の条件外で対応した理由"), rows=2),
)

BY_NAME: dict[str, ContactField] = {spec.name: spec for spec in CONTACT_FIELDS}


def fields_of(*kinds: str) -> tuple[ContactField, ...]:
    return tuple(spec for spec in CONTACT_FIELDS if spec.kind in kinds)


def names_of(*kinds: str) -> tuple[str, ...]:
    return tuple(spec.name for spec in fields_of(*kinds))


_PYTHON_TYPES = {
    RELATION: object,
    STAFF_LIST: list,
    MOMENT: dt.datetime,
    CHOICE: str,
    CODES: list[str],
    **{kind: str for kind in TEXT_KINDS},
}


def dataclass_fields() -> list[tuple]:
    """``(name, type, dataclasses.field)`` for ``dataclasses.make_dataclass``."""
    result = []
    for spec in CONTACT_FIELDS:
        kind_type = _PYTHON_TYPES[spec.kind]
        if spec.required and spec.default is None:
            result.append((spec.name, kind_type))
        elif spec.is_list:
            result.append((spec.name, kind_type, dataclass_field(default_factory=list)))
        else:
            value_type = kind_type | None if spec.kind == MOMENT else kind_type
            result.append((spec.name, value_type, dataclass_field(default=spec.default_value())))
    return result
