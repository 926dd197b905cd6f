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
    return unescape_formula(str(value).strip())


def cell_text(value) -> str:
    """A cell as compared and parsed: NFKC (full-width digits and signs folded)."""
    return unicodedata.normalize("NFKC", cell_raw(value)).strip()


# --- Writing cells that a spreadsheet must never run (issue 13, A4) ---------------------------
# OWASP "CSV Injection": a cell whose text begins with one of these is read as a formula by
# Excel or LibreOffice (=HYPERLINK(...), =cmd|' /C calc'!A0, +1+1, -2+3, @SUM(...)); a tab or
# a carriage return in front does the same in some of them. Leading spaces are skipped when
# looking, because some programs skip them before deciding.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ESCAPE = "'"
_LEADING_SPACES = " \u3000"

# The first line of an export says who exported what and when; import-contacts skips it.
PROVENANCE_MARK = "【出力記録】"


def starts_like_formula(value) -> bool:
    """Text a spreadsheet would take for a formula. Numbers are never formulas: a real
    negative count stays a number; the text "-5" that someone typed is text."""
    return isinstance(value, str) and value.lstrip(_LEADING_SPACES).startswith(FORMULA_TRIGGERS)


def csv_cell(value):
    """A value for a CSV cell: text that starts like a formula gets a leading ``'``
    (OWASP's advice; Excel then shows it as text). Everything else as it is; the csv
    module quotes what needs quoting."""
    if starts_like_formula(value):
        return FORMULA_ESCAPE + value
    return value


def xlsx_text(value: str) -> str:
    """Text an .xlsx file can hold: without control characters (openpyxl refuses
    most, and one stored value would fail the whole export); line breaks and tabs kept."""
    return clean_text(value)


def unescape_formula(text: str) -> str:
    """Undo ``csv_cell`` on a cell read back: ``'=…`` → ``=…`` (only where the quote was
    put in front of something that starts like a formula)."""
    if text.startswith(FORMULA_ESCAPE) and starts_like_formula(text[1:]):
        return text[1:]
    return text


def is_provenance_row(cells) -> bool:
    """The line an export writes above its header (who exported, when, what)."""
    first = next((cell for cell in cells if not is_blank(cell)), None)
    return isinstance(first, str) and first.strip().startswith(PROVENANCE_MARK)
