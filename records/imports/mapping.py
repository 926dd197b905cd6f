"""Which spreadsheet column fills which field when a city's 記録 sheet is
imported (``python -m mamoru import-contacts``).

Headers are compared after NFKC normalisation with every space removed, so
「対応時間（分）」 and 「対応時間(分)」 are the same header. A city whose sheet
uses other headers adds them with ``--map 列名=field`` or a TOML file given
with ``--mapping``::

    [columns]
    "受付年月日" = "date"
    "相談者" = "name"
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mamoru.lib.japanese import normalize_compact
from records.fields import CONTACT_FIELDS

# The values a column gives that are not fields of the contact: its date and times, and the
# resident (氏名 and the rest) that ``resolving.resident_for`` finds or registers. Field → (the
# Japanese name used in messages, the usual headers of a city's sheet).
_SHEET_FIELDS = {
    "date": (gettext_lazy("日付"), ("日付", "対応日", "対応日付", "年月日", "受付日", "対応年月日")),
    "start_time": (gettext_lazy("開始時刻"), ("開始時刻", "開始時間", "開始", "時刻", "対応開始")),
    "end_time": (gettext_lazy("終了時刻"), ("終了時刻", "終了時間", "終了", "対応終了")),
    "duration_minutes": (
        gettext_lazy("対応時間（分）"),
        ("対応時間（分）", "所要時間（分）", "対応時間", "所要時間", "時間（分）"),
    ),
    "name": (gettext_lazy("氏名"), ("氏名", "相手方", "相手方氏名", "住民等", "住民等氏名")),
    "kana": (gettext_lazy("ふりがな"), ("ふりがな", "フリガナ", "氏名（かな）", "よみがな", "ヨミガナ")),
    "phone": (gettext_lazy("電話番号"), ("電話番号", "電話", "連絡先")),
    "address": (gettext_lazy("住所"), ("住所",)),
}

# The contact's own fields a column can fill: those of ``records.fields`` with import headers.
CONTACT_COLUMNS = {spec.name: spec for spec in CONTACT_FIELDS if spec.import_headers}

# The fields a column can fill, with the Japanese name used in messages.
FIELDS = {
    **{name: label for name, (label, _headers) in _SHEET_FIELDS.items()},
    **{name: spec.import_label or spec.label for name, spec in CONTACT_COLUMNS.items()},
}

# Columns without which no row can become a contact.
REQUIRED_FIELDS = ("date", "staff", "channel")

# The usual headers of a city's sheet, by field.
DEFAULT_HEADERS = {
    **{name: headers for name, (_label, headers) in _SHEET_FIELDS.items()},
    **{name: spec.import_headers for name, spec in CONTACT_COLUMNS.items()},
}


class MappingError(ValueError):
    """A mapping option or file the importer cannot use; the message is Japanese."""


def header_key(text) -> str:
    """A header as compared: NFKC, no spaces. None (an empty cell) is ""."""
    return normalize_compact("" if text is None else str(text))


def default_mapping() -> dict[str, str]:
    """Header key → field, from ``DEFAULT_HEADERS``."""
    return {header_key(header): name for name, headers in DEFAULT_HEADERS.items() for header in headers}


def _checked(header: str, field: str) -> tuple[str, str]:
    field = field.strip()
    if not header_key(header):
        raise MappingError(_("列名が空の対応付けがあります（「{field}」）。").format(field=field))
    if field not in FIELDS:
        raise MappingError(
            _("「{header}」の対応先「{field}」はありません。使える項目: {fields}").format(
                header=header, field=field, fields=", ".join(FIELDS)
            )
        )
    return header_key(header), field


def parse_map_options(options: list[str]) -> dict[str, str]:
    """``["受付日=date", ...]`` from ``--map`` → header key → field."""
    mapping = {}
    for option in options:
        header, sep, field = option.rpartition("=")
        if not sep:
            raise MappingError(_("--map は「列名=項目」の形で指定してください（「{value}」）。").format(value=option))
        key, value = _checked(header, field)
        mapping[key] = value
    return mapping


def load_mapping_file(path: str | Path) -> dict[str, str]:
    """A TOML file with a ``[columns]`` table of header = field."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise MappingError(_("対応付けファイル「{path}」が見つかりません。").format(path=path)) from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MappingError(
            _("対応付けファイル「{path}」を読めません: {error}").format(path=path, error=error)
        ) from error
    columns = data.get("columns")
    if not isinstance(columns, dict):
        raise MappingError(_("対応付けファイルに [columns] の表がありません。"))
    mapping = {}
    for header, field in columns.items():
        if not isinstance(field, str):
            raise MappingError(_("「{header}」の対応先は文字列で書いてください。").format(header=header))
        key, value = _checked(header, field)
        mapping[key] = value
    return mapping


def build_mapping(*, options: list[str] = (), path: str | Path | None = None) -> dict[str, str]:
    """The default mapping, overridden by a mapping file, then by ``--map`` options."""
    mapping = default_mapping()
    if path:
        mapping.update(load_mapping_file(path))
    mapping.update(parse_map_options(list(options)))
    return mapping
