"""Lay out a printable list (一覧表: the 証拠一覧 of a case) as A4 landscape PDF bytes.

Pure layout with ReportLab, in the same fonts as the letters (``mamoru.lib.pdf``):
a title, a few lines about the list (事案, 作成日時, 作成者), then a table whose
header is repeated on every page. A cell may hold several lines (``"\\n"``) and
wraps to its column's width with the letters' 禁則処理; a row never splits across
pages. Page numbers (- 1 / 3 -) at the foot. ``invariant`` output: the same input
always gives the same bytes."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from .pdf import GOTHIC, MINCHO, register_fonts, text_width, wrap

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 15 * mm
CELL_SIZE = 7.5
CELL_LEADING = 10.0
CELL_PAD = 1.6 * mm
TITLE_SIZE = 16


@dataclass(frozen=True)
class Column:
    label: str
    width_mm: float
    align: str = "left"  # left, right


@dataclass(frozen=True)
class ListDocument:
    """The finished texts of one list, ready to lay out."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[str]]
    about: Sequence[str] = field(default_factory=tuple)  # lines under the title
    footnote: Sequence[str] = field(default_factory=tuple)  # lines after the table
    author: str = ""
    empty_text: str = "（該当なし）"


def _cell_lines(text: str, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in (text or "").split("\n"):
        lines.extend(wrap(paragraph, width, font=GOTHIC, size=CELL_SIZE) or [""])
    return lines or [""]


def render_list(document: ListDocument, *, font_dirs: Iterable[str | Path]) -> bytes:
    """The list as A4 landscape PDF bytes."""
    register_fonts(font_dirs)
    widths = [column.width_mm * mm for column in document.columns]
    scale = min(1.0, (PAGE_WIDTH - 2 * MARGIN) / sum(widths))
    widths = [width * scale for width in widths]
    header = [
        _cell_lines(column.label, width - 2 * CELL_PAD) for column, width in zip(document.columns, widths, strict=True)
    ]
    rows = [
        [_cell_lines(str(cell), width - 2 * CELL_PAD) for cell, width in zip(row, widths, strict=True)]
        for row in document.rows
    ]

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1, lang="ja")
    pdf.setTitle(document.title)
    pdf.setCreator("mamoru")
    if document.author:
        pdf.setAuthor(document.author)

    pages = _paginate(document, header, rows)
    for number, (first_page, page_rows, last_page) in enumerate(pages, start=1):
        y = PAGE_HEIGHT - MARGIN
        if first_page:
            pdf.setFont(GOTHIC, TITLE_SIZE)
            pdf.drawCentredString(PAGE_WIDTH / 2, y - TITLE_SIZE, document.title)
            y -= TITLE_SIZE + 10
            pdf.setFont(MINCHO, 9.5)
            for line in document.about:
                pdf.drawString(MARGIN, y - 9.5, line)
                y -= 14
            y -= 4
        y = _draw_row(pdf, header, widths, document.columns, y, shaded=True)
        for row in page_rows:
            y = _draw_row(pdf, row, widths, document.columns, y)
        if last_page:
            if not rows:
                pdf.setFont(MINCHO, 9.5)
                pdf.drawString(MARGIN + CELL_PAD, y - 14, document.empty_text)
                y -= 18
            pdf.setFont(MINCHO, 8.5)
            y -= 6
            for line in document.footnote:
                pdf.drawString(MARGIN, y - 8.5, line)
                y -= 12
        pdf.setFont(MINCHO, 8.5)
        pdf.drawCentredString(PAGE_WIDTH / 2, MARGIN / 2, f"- {number} / {len(pages)} -")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _row_height(row: list[list[str]]) -> float:
    return max(len(lines) for lines in row) * CELL_LEADING + 2 * CELL_PAD


def _paginate(document, header, rows):
    """(first page?, its rows, last page?) for each page: rows never split."""
    title_height = TITLE_SIZE + 10 + 14 * len(document.about) + 4
    foot_height = 24 + 12 * len(document.footnote)
    usable = PAGE_HEIGHT - 2 * MARGIN
    pages: list[list] = []
    current: list = []
    room = usable - title_height - _row_height(header)
    for row in rows:
        height = _row_height(row)
        if height > room and current:
            pages.append(current)
            current = []
            room = usable - _row_height(header)
        current.append(row)
        room -= height
    if room < foot_height and current:
        pages.append(current)
        current = []
    pages.append(current)
    return [(index == 0, page, index == len(pages) - 1) for index, page in enumerate(pages)]


def _draw_row(pdf, row, widths, columns, y, *, shaded=False) -> float:
    height = _row_height(row)
    x = MARGIN
    pdf.setLineWidth(0.4)
    if shaded:
        pdf.setFillGray(0.9)
        pdf.rect(MARGIN, y - height, sum(widths), height, stroke=0, fill=1)
    pdf.setFillGray(0)
    pdf.setStrokeGray(0)
    pdf.setFont(GOTHIC, CELL_SIZE)
    for lines, width, column in zip(row, widths, columns, strict=True):
        pdf.rect(x, y - height, width, height, stroke=1, fill=0)
        for index, line in enumerate(lines):
            baseline = y - CELL_PAD - CELL_SIZE - index * CELL_LEADING + 1
            if column.align == "right":
                pdf.drawRightString(x + width - CELL_PAD, baseline, line)
            else:
                pdf.drawString(x + CELL_PAD, baseline, line)
        x += width
    return y - height


def fits(text: str, width_mm: float) -> bool:
    """Whether ``text`` fits one line of a column ``width_mm`` wide (for callers choosing widths)."""
    return text_width(text, GOTHIC, CELL_SIZE) <= width_mm * mm - 2 * CELL_PAD
