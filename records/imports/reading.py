"""A city's 記録 file → its rows: .xlsx (openpyxl), or .csv/.txt in UTF-8 or
Shift_JIS (``mamoru.lib.spreadsheet.decode_text``), comma or tab separated;
then the header row and which column fills which field."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from mamoru.lib.spreadsheet import DecodeError, decode_text, is_blank, is_provenance_row

from .mapping import FIELDS, REQUIRED_FIELDS, header_key

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (not found, unreadable, no
    header, a required column missing); the message is Japanese."""


def _read_csv(path: Path, encoding: str | None) -> list[tuple[int, list]]:
    try:
        text = decode_text(path.read_bytes(), encoding)
    except DecodeError as error:
        raise ImportFileError(str(error)) from error
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for number, row in enumerate(reader, start=1):
            rows.append((number, row))
    except csv.Error as error:  # a cell over csv's field limit (128 KB), a NUL byte
        raise ImportFileError(
            _("{row}行目を読めません（セルが長すぎるか、読めない文字があります: {error}）。").format(
                row=reader.line_num, error=error
            )
        ) from error
    return rows


def _read_xlsx(path: Path, sheet: str | None) -> list[tuple[int, list]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, *_BROKEN_XLSX) as error:
        raise ImportFileError(
            _("Excelファイル「{name}」を開けません: {error}").format(name=path.name, error=error)
        ) from error
    try:
        return _xlsx_rows(workbook, sheet)
    except ImportFileError:
        raise
    except _BROKEN_XLSX as error:  # the sheet is read lazily: a truncated file fails half way through
        raise ImportFileError(
            _(
                "Excelファイル「{name}」が壊れているため読めません（途中で切れているか、Excelの形式ではありません）。"
            ).format(name=path.name)
        ) from error
    finally:
        workbook.close()


# What openpyxl raises for a file that is not a whole .xlsx: not a zip, a zip cut short, broken XML inside.
_BROKEN_XLSX = (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, ElementTree.ParseError)


def _xlsx_rows(workbook, sheet: str | None) -> list[tuple[int, list]]:
    if sheet:
        if sheet not in workbook.sheetnames:
            raise ImportFileError(
                _("シート「{sheet}」がありません。あるシート: {names}").format(
                    sheet=sheet, names="、".join(workbook.sheetnames)
                )
            )
        worksheet = workbook[sheet]
    else:
        worksheet = workbook.worksheets[0]
    return [(number, list(row)) for number, row in enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1)]


def read_rows(path: str | Path, *, encoding: str | None = None, sheet: str | None = None) -> list[tuple[int, list]]:
    """(row number as in the spreadsheet, cell values) for every row of the file."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(_("ファイル「{path}」が見つかりません。").format(path=path))
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, encoding)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        raise ImportFileError(_("古い形式（.xls）は読めません。Excelで .xlsx 形式として保存し直してください。"))
    raise ImportFileError(_("読める形式は .xlsx と .csv です（「{name}」）。").format(name=path.name))


def locate_header(rows: list[tuple[int, list]], header_row: int | None) -> int:
    """The index in ``rows`` of the header: row ``header_row`` (1-based) or the first non-empty
    one that is not the line mamoru's export writes above its header (who exported, when)."""
    for index, (number, cells) in enumerate(rows):
        if header_row is not None:
            if number == header_row:
                if all(is_blank(cell) for cell in cells):
                    raise ImportFileError(_("{row}行目は空で、見出しの行として使えません。").format(row=header_row))
                return index
        elif not all(is_blank(cell) for cell in cells) and not is_provenance_row(cells):
            return index
    if header_row is not None:
        raise ImportFileError(_("{row}行目がありません。").format(row=header_row))
    raise ImportFileError(_("ファイルが空です。"))


def map_columns(headers: list, mapping: dict[str, str]) -> dict[str, list[int]]:
    """Field → the column indexes that fill it; every required field must have one."""
    columns: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        name = mapping.get(header_key(header))
        if name:
            columns.setdefault(name, []).append(index)
    missing = [str(FIELDS[name]) for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise ImportFileError(
            _("必要な列が見つかりません: {missing}（見出し: {headers}）。--map 列名=項目 で指定できます。").format(
                missing="、".join(missing), headers="、".join(str(h) for h in headers if not is_blank(h))
            )
        )
    return columns
