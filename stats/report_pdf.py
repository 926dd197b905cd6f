"""A report as A4 portrait PDF (ReportLab, the letters' IPAex fonts from
``mamoru.lib.pdf``): a title page (city, title, period in 和暦, 作成日, 公表用 or
内部資料), then each table under its section with its chart and the comparison with
the period before; page numbers (- 2 / 9 -) at the foot of every page.

Charts are horizontal bars in black, hatching and grey (readable printed in black
and white), with every value written beside its bar; a hidden value (「10未満」
「秘匿」) gets no bar, only its label, so that no length gives it away. ``invariant``
output: the same report always gives the same bytes."""

from __future__ import annotations

import io

from django.conf import settings
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from mamoru.lib.pdf import GOTHIC, MINCHO, register_fonts, text_width

from .display import format_value
from .reports import Report, ReportTable, change

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
CELL_SIZE = 8
MAX_CHART_ROWS = 24
SERIES_FILLS = ("black", "hatch", "grey", "white")

TITLE = ParagraphStyle("title", fontName=GOTHIC, fontSize=20, leading=30, alignment=1)
SUBTITLE = ParagraphStyle("subtitle", fontName=GOTHIC, fontSize=14, leading=22, alignment=1)
ABOUT = ParagraphStyle("about", fontName=MINCHO, fontSize=11, leading=18, wordWrap="CJK")
SECTION = ParagraphStyle("section", fontName=GOTHIC, fontSize=14, leading=20, spaceBefore=6, spaceAfter=4)
HEADING = ParagraphStyle("heading", fontName=GOTHIC, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4)
NOTE = ParagraphStyle("note", fontName=MINCHO, fontSize=8, leading=11, wordWrap="CJK")
CELL = ParagraphStyle("cell", fontName=GOTHIC, fontSize=CELL_SIZE, leading=CELL_SIZE + 2, wordWrap="CJK")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shown(value, kind: str = "int") -> str:
    return format_value(value, kind)


def _signed(value, kind: str = "int") -> str:
    if value is None:
        return "－"
    text = format_value(abs(value), kind)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


class _NumberedCanvas(canvas.Canvas):
    """Writes 「- n / N -」 at the foot of each page once the number of pages is known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(MINCHO, 8.5)
            self.setFillGray(0)
            self.drawCentredString(PAGE_WIDTH / 2, MARGIN / 2, f"- {self._pageNumber} / {total} -")
            super().showPage()
        super().save()


def chart(item: ReportTable) -> Drawing | None:
    """Bars of the table's count columns ("bar": the first; "stacked": each), as published."""
    table = item.table
    if not table.chart or not table.rows or len(table.rows) > MAX_CHART_ROWS:
        return None
    counts = [c for c in range(len(table.columns)) if table.column_format(c) == "int" and c not in table.derived_from]
    series = counts[:1] if table.chart == "bar" else counts[: len(SERIES_FILLS)]
    if not series:
        return None
    rows = item.current.rows
    numbers = [v for row in rows for c in series if isinstance(v := row[c], int | float) and not isinstance(v, str)]
    top = max(numbers, default=0) or 1
    bar = 9 if len(series) == 1 else 7
    gap = 4
    legend = 14 if len(series) > 1 else 0
    label_width = min(48 * mm, max(text_width(row.label, GOTHIC, 7.5) for row in table.rows) + 6)
    value_width = 16 * mm
    area = FRAME_WIDTH - label_width - value_width
    group = bar * len(series) + gap
    height = legend + group * len(rows) + gap
    drawing = Drawing(FRAME_WIDTH, height)
    if legend:
        x = label_width
        for index, column in enumerate(series):
            _bar(drawing, x, height - 11, 8, 8, SERIES_FILLS[index])
            name = table.columns[column]
            drawing.add(String(x + 11, height - 10, name, fontName=GOTHIC, fontSize=7.5))
            x += 11 + text_width(name, GOTHIC, 7.5) + 12
    for number, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
        top_y = height - legend - gap - number * group
        middle = top_y - bar * len(series) / 2
        drawing.add(String(label_width - 4, middle - 2.5, row.label, fontName=GOTHIC, fontSize=7.5, textAnchor="end"))
        for index, column in enumerate(series):
            value = values[column]
            y = top_y - (index + 1) * bar
            width = 0.0
            if isinstance(value, int | float) and value > 0:
                width = area * value / top
                _bar(drawing, label_width, y + 1, width, bar - 2, SERIES_FILLS[index])
            drawing.add(String(label_width + width + 3, y + 2, _shown(value), fontName=GOTHIC, fontSize=7))
    drawing.add(Line(label_width, 0, label_width, height - legend, strokeWidth=0.5))
    return drawing


def _bar(drawing: Drawing, x: float, y: float, width: float, height: float, fill: str) -> None:
    if fill == "black":
        drawing.add(Rect(x, y, width, height, fillColor=colors.black, strokeColor=colors.black, strokeWidth=0.4))
    elif fill == "grey":
        drawing.add(
            Rect(x, y, width, height, fillColor=colors.Color(0.6, 0.6, 0.6), strokeColor=colors.black, strokeWidth=0.4)
        )
    else:
        drawing.add(Rect(x, y, width, height, fillColor=colors.white, strokeColor=colors.black, strokeWidth=0.4))
        if fill == "hatch":
            step = 3.0
            offset = 0.0
            while offset < width + height:
                x1, y1 = x + max(0.0, offset - height), y + min(height, offset)
                x2, y2 = x + min(width, offset), y + max(0.0, offset - width)
                drawing.add(Line(x1, y1, x2, y2, strokeWidth=0.5))
                offset += step


def _cell(text: str) -> Paragraph:
    return Paragraph(_escape(text), CELL)


def figure_table(item: ReportTable, report: Report) -> Table:
    table = item.table
    compare = item.previous is not None
    first_kind = table.column_format(0)
    header = [table.row_header or "区分", *table.columns]
    if compare:
        header += [f"前期: {table.columns[0]}", "増減"]
    data = [[_cell(text) for text in header]]
    for index, (row, values) in enumerate(zip(table.rows, item.current.rows, strict=True)):
        cells = [_cell(row.label)] + [_shown(v, table.column_format(c)) for c, v in enumerate(values)]
        if compare:
            previous = item.row_previous[index]
            cells += [_shown(previous, first_kind), _signed(change(values[0], previous), first_kind)]
        data.append(cells)
    if item.current.totals is not None:
        totals = ["合計"] + [_shown(v, table.column_format(c)) for c, v in enumerate(item.current.totals)]
        previous_totals = item.previous_totals
        if compare:
            previous = previous_totals[0] if previous_totals else None
            totals += [_shown(previous, first_kind), _signed(change(item.current.totals[0], previous), first_kind)]
        data.append(totals)
    if len(data) == 1:
        data.append([_cell("該当するものはありません。")] + [""] * (len(header) - 1))
    label_width = 38 * mm
    other = (FRAME_WIDTH - label_width) / max(1, len(header) - 1)
    widths = [label_width] + [other] * (len(header) - 1)
    style = [
        ("FONT", (0, 0), (-1, -1), GOTHIC, CELL_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if item.current.totals is not None:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.Color(0.95, 0.95, 0.95)))
    return Table(data, colWidths=widths, repeatRows=1, style=TableStyle(style))


def _comparison_line(item: ReportTable, report: Report) -> str:
    previous_totals = item.previous_totals
    if previous_totals is None:
        return ""
    parts = []
    for column, name in enumerate(item.table.columns):
        kind = item.table.column_format(column)
        current = item.current.totals[column]
        previous = previous_totals[column]
        parts.append(
            f"{name} {_shown(current, kind)}（前期 {_shown(previous, kind)}、増減 {_signed(change(current, previous), kind)}）"
        )
    return f"前期（{report.previous_text}）との比較: " + "、".join(parts)


def _title_page(report: Report) -> list:
    story: list = [Spacer(1, 45 * mm)]
    story.append(Paragraph(_escape(report.city), SUBTITLE))
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(_escape(report.title), TITLE))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(f"【{report.audience_label}】", SUBTITLE))
    story.append(Spacer(1, 20 * mm))
    for line in report.about_lines():
        story.append(Paragraph(_escape(line), ABOUT))
    if report.author:
        story.append(Paragraph(_escape(f"作成者: {report.author}"), ABOUT))
    story.append(PageBreak())
    return story


def render_report_pdf(report: Report) -> bytes:
    register_fonts(settings.MAMORU_LETTER_FONT_DIRS)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=report.title,
        author=report.author or report.city,
        subject=f"{report.title}（{report.audience_label}）",
        creator="mamoru",
        invariant=1,
        lang="ja",
    )
    story = _title_page(report)
    section = None
    for item in report.tables:
        if item.section != section:
            section = item.section
            story.append(CondPageBreak(60 * mm))
            story.append(Paragraph(_escape(section), SECTION))
        heading = [Paragraph(_escape(item.table.title), HEADING)]
        drawing = chart(item)
        if drawing is not None:
            heading += [drawing, Spacer(1, 3 * mm)]
        story.append(KeepTogether(heading))
        story.append(figure_table(item, report))
        notes = [line for line in (_comparison_line(item, report), item.table.note) if line]
        for line in notes:
            story.append(Spacer(1, 1.5 * mm))
            story.append(Paragraph(_escape(line), NOTE))
        story.append(Spacer(1, 6 * mm))
    if not report.tables:
        story.append(Paragraph("集計する表がありません。", ABOUT))
    document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
