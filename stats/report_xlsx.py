"""A report as an Excel workbook (openpyxl): a first sheet 「概要」 (title, period,
departments, threshold, 作成日), then one sheet per table. Counts are numbers, hours
and shares numbers with a number format, the period's days and 作成日 Excel dates;
a hidden value (「10未満」「秘匿」) is the only text among the figures. Every sheet
begins with the provenance line other exports write (``mamoru.lib.spreadsheet``)."""

from __future__ import annotations

import io

from django.utils import timezone

from mamoru.lib.spreadsheet import PROVENANCE_MARK, starts_like_formula, xlsx_text

from .reports import Report, ReportTable, change

SHEET_NAME_LIMIT = 31
FORBIDDEN_IN_SHEET_NAMES = set("[]:*?/\\")
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
NUMBER_FORMATS = {
    "int": "#,##0",
    "hours": "#,##0.0",
    "minutes": "#,##0.0",
    "percent": "0.0",
    "seconds": "#,##0",
}
CHANGE_FORMATS = {
    "int": "+#,##0;-#,##0;0",
    "hours": "+#,##0.0;-#,##0.0;0.0",
    "minutes": "+#,##0.0;-#,##0.0;0.0",
    "percent": "+0.0;-0.0;0.0",
    "seconds": "+#,##0;-#,##0;0",
}


def provenance_line(report: Report) -> str:
    created = timezone.localtime(report.created_at).strftime("%Y-%m-%d %H:%M")
    return (
        f"{PROVENANCE_MARK} 統計報告 出力者: {report.author or 'コマンド（python -m mamoru report）'} "
        f"出力日時: {created} 報告: {report.title}（{report.audience_label}） 所属: {report.departments_text}"
    )


def sheet_names(titles: list[str]) -> list[str]:
    """Names Excel accepts: at most 31 characters, none of []:*?/\\, unique (case aside)."""
    names: list[str] = []
    taken: set[str] = {"概要"}
    for title in titles:
        base = "".join("_" if ch in FORBIDDEN_IN_SHEET_NAMES else ch for ch in title).strip("'") or "表"
        name = base[:SHEET_NAME_LIMIT]
        number = 2
        while name.lower() in taken:
            suffix = f"（{number}）"
            name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
            number += 1
        taken.add(name.lower())
        names.append(name)
    return names


def _text(sheet, row: int, column: int, value: str):
    cell = sheet.cell(row=row, column=column, value=xlsx_text(value))
    if starts_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _value(sheet, row: int, column: int, value, kind: str, formats=NUMBER_FORMATS):
    if value is None:
        return sheet.cell(row=row, column=column, value=None)
    if isinstance(value, str):  # 「10未満」「秘匿」
        cell = _text(sheet, row, column, value)
        cell.alignment = _right()
        return cell
    cell = sheet.cell(row=row, column=column, value=value)
    cell.number_format = formats.get(kind, "#,##0")
    return cell


def _right():
    from openpyxl.styles import Alignment

    return Alignment(horizontal="right")


def _summary(sheet, report: Report, line: str) -> None:
    from openpyxl.styles import Font

    _text(sheet, 1, 1, line)
    _text(sheet, 2, 1, report.title).font = Font(bold=True, size=14)
    rows = [
        ("市区町村", report.city),
        ("区分", report.audience_label),
        ("報告", report.title),
        ("期間", report.period.label),
        ("期間の初日", report.period.start),
        ("期間の末日", report.period.end),
        ("比較対象", report.previous_period.label),
        ("比較対象の初日", report.previous_period.start),
        ("比較対象の末日", report.previous_period.end),
        ("対象所属", report.departments_text),
        ("少数秘匿の基準（件）", report.threshold if report.threshold is not None else "なし（内部資料）"),
        ("作成日", report.created_on),
        ("作成者", report.author or "コマンド（python -m mamoru report）"),
    ]
    for offset, (label, value) in enumerate(rows, start=4):
        _text(sheet, offset, 1, label).font = Font(bold=True)
        if isinstance(value, str):
            _text(sheet, offset, 2, value)
        else:
            cell = sheet.cell(row=offset, column=2, value=value)
            cell.number_format = DATE_FORMAT if hasattr(value, "year") else "#,##0"
    if report.threshold is not None:
        _text(sheet, len(rows) + 5, 1, report.about_lines()[-1])
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 48


def _table_sheet(sheet, item: ReportTable, report: Report, line: str) -> None:
    from openpyxl.styles import Font, PatternFill

    table = item.table
    bold = Font(bold=True)
    shade = PatternFill("solid", fgColor="DDDDDD")
    _text(sheet, 1, 1, line)
    _text(sheet, 2, 1, f"{item.section}: {table.title}").font = Font(bold=True, size=13)
    _text(sheet, 3, 1, f"{report.period.label}（{report.period_text}）")
    header_row = 5
    first_kind = table.column_format(0)
    compare = item.previous is not None and bool(table.columns)
    headers = [table.row_header or "区分", *table.columns]
    if compare:
        headers += [f"前期: {table.columns[0]}", "増減"]
    for column, text in enumerate(headers, start=1):
        cell = _text(sheet, header_row, column, text)
        cell.font = bold
        cell.fill = shade
    row_number = header_row
    for index, (row, values) in enumerate(zip(table.rows, item.current.rows, strict=True)):
        row_number += 1
        _text(sheet, row_number, 1, row.label)
        for column, value in enumerate(values):
            _value(sheet, row_number, column + 2, value, table.column_format(column))
        if compare:
            previous = item.row_previous[index]
            _value(sheet, row_number, len(values) + 2, previous, first_kind)
            _value(sheet, row_number, len(values) + 3, change(values[0], previous), first_kind, CHANGE_FORMATS)
    if item.current.totals is not None:
        row_number += 1
        _text(sheet, row_number, 1, "合計").font = bold
        for column, value in enumerate(item.current.totals):
            _value(sheet, row_number, column + 2, value, table.column_format(column)).font = bold
        previous_totals = item.previous_totals
        if compare and previous_totals is not None:
            _value(sheet, row_number, len(table.columns) + 2, previous_totals[0], first_kind).font = bold
            _value(
                sheet,
                row_number,
                len(table.columns) + 3,
                change(item.current.totals[0], previous_totals[0]),
                first_kind,
                CHANGE_FORMATS,
            ).font = bold
        if previous_totals is not None:
            row_number += 2
            _text(sheet, row_number, 1, f"前期（{report.previous_text}）との比較").font = bold
            row_number += 1
            for column, text in enumerate(["", "今期の合計", "前期の合計", "増減"], start=1):
                if text:
                    _text(sheet, row_number, column, text).font = bold
            for column, name in enumerate(table.columns):
                row_number += 1
                kind = table.column_format(column)
                _text(sheet, row_number, 1, name)
                _value(sheet, row_number, 2, item.current.totals[column], kind)
                _value(sheet, row_number, 3, previous_totals[column], kind)
                _value(
                    sheet,
                    row_number,
                    4,
                    change(item.current.totals[column], previous_totals[column]),
                    kind,
                    CHANGE_FORMATS,
                )
    if table.note:
        row_number += 2
        _text(sheet, row_number, 1, f"注: {table.note}")
    sheet.column_dimensions["A"].width = 26
    for column in range(2, len(headers) + 1):
        sheet.column_dimensions[sheet.cell(row=header_row, column=column).column_letter].width = 16
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)


def render_report_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    line = provenance_line(report)
    workbook = Workbook()
    properties = workbook.properties
    properties.title = report.title
    properties.creator = properties.lastModifiedBy = (report.author or "mamoru")[:255]
    properties.created = properties.modified = report.created_at.replace(tzinfo=None)
    properties.description = line[:1000]
    summary = workbook.active
    summary.title = "概要"
    _summary(summary, report, line)
    names = sheet_names([item.table.title for item in report.tables])
    for item, name in zip(report.tables, names, strict=True):
        _table_sheet(workbook.create_sheet(name), item, report, line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
