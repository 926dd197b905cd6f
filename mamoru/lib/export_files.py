"""Writing a list as a file people open in Excel: CSV in UTF-8 with a BOM (what
Excel opens in Japanese today) or in Shift_JIS (cp932, for older Excel), and
.xlsx with real numbers and dates. Pure: no models, no requests.

Every file begins with the line that says who exported what and when (the
caller's ``first_line``, ``PROVENANCE_MARK`` first), and holds no live formula
(``mamoru.lib.spreadsheet.csv_cell``, text cells in Excel).

Shift_JIS cannot hold every character a record may store (𠮷, emoji, é…).
``to_cp932`` first turns the characters cp932 only spells differently into the
look-alike it has (〜 U+301C → ～ U+FF5E, − → －, ‖ → ∥, ¢ £ ¬ → ￠ ￡ ￢, — → ―…),
drops invisible formatting characters (zero-width space, soft hyphen, BOM) and
composes a kana with a separate voiced mark (only there: NFC on the whole text would
turn the compatibility kanji cp932 holds, 館 鶴…, into other code points); what is still missing becomes 〓
(a geta mark, as Japanese typesetting marks a missing character) and is
counted. The count is written in the first line and returned to the caller,
so that the user is told; nothing stored can make an export fail."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import itertools
import unicodedata
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from .dates import safe_localtime
from .spreadsheet import csv_cell, starts_like_formula, xlsx_text

UTF8 = "utf-8"
CP932 = "cp932"
ENCODINGS = (UTF8, CP932)

# How people write the two in a link or a setting.
_NAMES = {
    "utf-8": UTF8,
    "utf8": UTF8,
    "utf-8-sig": UTF8,
    "cp932": CP932,
    "sjis": CP932,
    "shift-jis": CP932,
    "shift_jis": CP932,
    "shiftjis": CP932,
    "ms932": CP932,
    "windows-31j": CP932,
}

CP932_REPLACEMENT = "〓"

# Characters cp932 holds under another code point (the JIS X 0208 / Windows mapping
# differences), and a few near twins it has: the same look, nothing counted.
CP932_LOOKALIKES = {
    "\u301c": "\uff5e",  # 〜 WAVE DASH → ～ FULLWIDTH TILDE (what 0x8160 is in cp932)
    "\u2212": "\uff0d",  # − MINUS SIGN → －
    "\u2016": "\u2225",  # ‖ DOUBLE VERTICAL LINE → ∥
    "\u00a2": "\uffe0",  # ¢ → ￠
    "\u00a3": "\uffe1",  # £ → ￡
    "\u00ac": "\uffe2",  # ¬ → ￢
    "\u2014": "\u2015",  # — EM DASH → ― HORIZONTAL BAR (0x815C)
    "\u00a6": "\uffe4",  # ¦ → ￤
    "\u00a5": "\uffe5",  # ¥ → ￥
    "\u203e": "\uffe3",  # ‾ → ￣
    "\u00b5": "\u03bc",  # µ MICRO SIGN → μ
    "\u00b7": "\u30fb",  # · → ・
    "\u2022": "\u30fb",  # • → ・
    "\u2013": "\u2010",  # – EN DASH → ‐
    "\u2011": "\u2010",  # non-breaking hyphen → ‐
    "\u00a0": " ",  # no-break space
}
# Invisible: dropped, not counted (nothing a reader could miss).
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}


def export_encoding(value: str | None) -> str | None:
    """``"utf-8"`` or ``"cp932"`` for any usual spelling of UTF-8 or Shift_JIS; ``None`` otherwise."""
    if not value:
        return None
    return _NAMES.get(value.strip().lower())


def encoding_label(encoding: str) -> str:
    return "Shift_JIS" if encoding == CP932 else "UTF-8"


def _fits_cp932(char: str) -> bool:
    try:
        char.encode(CP932)
    except UnicodeEncodeError:
        return False
    return True


def _is_mark(char: str) -> bool:
    """A character that only changes the one before it: a combining mark, a variation
    selector, an emoji skin tone."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me")
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF
    )


def to_cp932(text: str) -> tuple[str, int]:
    """``text`` with only characters cp932 can hold, and how many were replaced by 〓.

    A mark that belongs to the character before it (a variation selector, a skin tone,
    a combining accent; the parts of an emoji joined by a zero-width joiner) goes with
    it: one 〓 for what a reader sees as one character; after a character cp932 holds
    (葛 with a variation selector) the mark is dropped and counted."""
    try:
        text.encode(CP932)
    except UnicodeEncodeError:
        pass
    else:
        return text, 0
    text = "".join(CP932_LOOKALIKES.get(char, char) for char in text)
    out: list[str] = []
    replaced = 0
    joined = False  # the previous character was a zero-width joiner after a replaced one
    last_replaced = False
    for char in text:
        if char == "\u200d" and last_replaced:
            joined = True
            continue
        if joined:
            joined = False
            continue  # the next part of the same emoji
        if char in _INVISIBLE:
            continue
        if _fits_cp932(char):
            out.append(char)
            last_replaced = False
            continue
        if _is_mark(char) and out:
            if last_replaced:
                continue  # part of the character already written as 〓
            composed = unicodedata.normalize("NFC", out[-1] + char)
            if len(composed) == 1 and _fits_cp932(composed):
                out[-1] = composed  # か + a separate voiced mark → が
            else:
                replaced += 1  # dropped from a character cp932 holds
            continue
        out.append(CP932_REPLACEMENT)
        replaced += 1
        last_replaced = True
    return "".join(out), replaced


def wall_clock(value: datetime.datetime) -> datetime.datetime:
    """A moment as local (Asia/Tokyo) wall-clock time without its zone: what a spreadsheet
    holds. A naive value is taken as already local."""
    local = safe_localtime(value)
    return local.replace(tzinfo=None) if local is not None else value


_CELL_TYPES = (str, int, float, decimal.Decimal, datetime.date, datetime.time)


def plain(value):
    """A value a cell can hold: ``None`` as empty, numbers, dates and text as they are, anything
    else (a lazy translation, a choice) as its text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    return value if isinstance(value, _CELL_TYPES) else str(value)


def _csv_value(value, seconds: bool = False):
    value = plain(value)
    if isinstance(value, datetime.datetime):
        return wall_clock(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return value


def replacement_note(replaced: int) -> str:
    """What the first line of a Shift_JIS file says about the characters it could not hold."""
    return _("文字コード: Shift_JIS（表せない文字 {count}字を「{mark}」に置き換え）").format(
        count=replaced, mark=CP932_REPLACEMENT
    )


def csv_bytes(
    *, first_line: str, header: Sequence[str], rows: Iterable[Sequence], encoding: str, seconds: bool = False
) -> tuple[bytes, int]:
    """The CSV file (CRLF lines, as Excel writes them) and the number of characters
    replaced (always 0 in UTF-8). Dates and times are written 2025-04-01 09:30 (with
    ``seconds``, 09:30:15) in Tokyo time, which Excel reads as dates; text that starts
    like a formula gets a leading '."""
    body = io.StringIO(newline="")
    writer = csv.writer(body, lineterminator="\r\n")
    replaced = 0
    for row in itertools.chain([header], rows):
        cells = []
        for value in row:
            value = _csv_value(value, seconds)
            if encoding == CP932 and isinstance(value, str):
                value, count = to_cp932(value)
                replaced += count
            cells.append(csv_cell(value))
        writer.writerow(cells)
    if encoding == CP932:
        line, count = to_cp932(first_line)
        replaced += count
        line = f"{line} {replacement_note(replaced)}"
        head = io.StringIO(newline="")
        csv.writer(head, lineterminator="\r\n").writerow([line])
        return (head.getvalue() + body.getvalue()).encode(CP932), replaced
    head = io.StringIO(newline="")
    csv.writer(head, lineterminator="\r\n").writerow([first_line])
    # (a lone surrogate cannot be stored in the database; were one handed in, it would be a ?)
    return ("\ufeff" + head.getvalue() + body.getvalue()).encode(UTF8, errors="replace"), 0


# Excel number formats: dates and times as Japanese offices write them.
DATETIME_FORMAT = "yyyy/mm/dd hh:mm"
DATETIME_SECONDS_FORMAT = "yyyy/mm/dd hh:mm:ss"
DATE_FORMAT = "yyyy/mm/dd"


def xlsx_row(sheet, row: Sequence, *, seconds: bool = False) -> list:
    """Cells for ``sheet.append`` in a write-only workbook: text that starts like a formula
    as a text cell (never a formula), control characters taken out, dates and times as
    Excel dates with a number format (an aware moment in Tokyo wall-clock time)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in row:
        value = None if value is None else plain(value)
        if isinstance(value, datetime.datetime):
            value = wall_clock(value)
        if isinstance(value, datetime.date) and not 1900 <= value.year <= 9999:
            value = str(value)  # a date Excel cannot hold (a stored year 1) is written as text
        if isinstance(value, datetime.datetime):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATETIME_SECONDS_FORMAT if seconds else DATETIME_FORMAT
            cells.append(cell)
            continue
        if isinstance(value, datetime.date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATE_FORMAT
            cells.append(cell)
            continue
        looks_like_formula = starts_like_formula(value)  # before cleaning: "\r=1+1" is one
        if isinstance(value, str):
            value = xlsx_text(value)
        if looks_like_formula:
            # Written as text, never as a formula; Excel keeps it text when the cell is edited.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            value = cell
        cells.append(value)
    return cells


def xlsx_bytes(
    *,
    title: str,
    first_line: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    creator: str,
    created: datetime.datetime,
    widths: Sequence[int] = (),
    seconds: bool = False,
) -> bytes:
    """One sheet named ``title``: the first line, the header, the rows. ``created`` in UTC
    (openpyxl writes the file's dates as UTC). ``widths``: column widths in characters."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    properties = workbook.properties
    properties.title = title
    properties.creator = properties.lastModifiedBy = creator[:255]
    properties.created = properties.modified = created.replace(tzinfo=None)
    properties.description = first_line[:1000]
    sheet = workbook.create_sheet(xlsx_text(title)[:31] or "Sheet1")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.oddHeader.center.text = xlsx_text(first_line[:200]).replace("&", "&&")  # printed on every page
    sheet.append(xlsx_row(sheet, [first_line]))
    sheet.append(xlsx_row(sheet, header))
    for row in rows:
        sheet.append(xlsx_row(sheet, row, seconds=seconds))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
