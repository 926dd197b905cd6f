"""Reading what cities keep in spreadsheets: text files in whatever encoding
the city's PC wrote them, and cells as Excel or a CSV gives them. Pure: no
models, no database; messages are Japanese (marked for translation)."""

from __future__ import annotations

import codecs
import unicodedata

from django.utils.translation import gettext as _

from .text import clean_text

# The names people give Shift_JIS (Windows writes its superset cp932) and UTF-8.
_SHIFT_JIS_NAMES = {"shift-jis", "sjis", "shiftjis", "cp932", "ms932", "windows-31j", "s-jis"}
_UTF8_NAMES = {"utf-8", "utf8", "utf-8-sig"}


class DecodeError(ValueError):
    """Text that cannot be decoded; the message is Japanese."""


def decode_text(raw: bytes, encoding: str | None = None) -> str:
    """Bytes of a text file → str. With ``encoding`` (any usual spelling of
    Shift_JIS or UTF-8, or a codec name) only that one; without it UTF-8 (a BOM
    is dropped), then Shift_JIS (cp932). Raises ``DecodeError``."""
    if encoding:
        name = encoding.strip().lower().replace("_", "-")
        if name in _SHIFT_JIS_NAMES:
            name = "cp932"
        elif name in _UTF8_NAMES:
            name = "utf-8-sig"
        try:
            codecs.lookup(name)
        except LookupError as error:
            raise DecodeError(_("文字コード「{encoding}」はわかりません。").format(encoding=encoding)) from error
        try:
            return raw.decode(name)
        except UnicodeDecodeError as error:
            raise DecodeError(
                _("ファイルを文字コード「{encoding}」として読めません（{position}バイト目）。").format(
                    encoding=encoding, position=error.start + 1
                )
            ) from error
    for name in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(name)
        except UnicodeDecodeError:
            continue
    raise DecodeError(
        _("ファイルの文字コードがわかりません（UTF-8 でも Shift_JIS でもありません）。--encoding で指定してください。")
    )


def is_blank(value) -> bool:
    """An empty cell: None, or text of nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_raw(value) -> str:
    """A cell as written (trimmed); numbers without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_text(value) -> str:
    """A cell as compared and parsed: NFKC (full-width digits and signs folded)."""
    return unicodedata.normalize("NFKC", cell_raw(value)).strip()


def xlsx_value(value):
    """A value as an Excel cell can hold it: text without control characters
    (openpyxl refuses them, and one stored value would fail the whole export)."""
    return clean_text(value) if isinstance(value, str) else value
