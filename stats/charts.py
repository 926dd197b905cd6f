"""Charts drawn on the server as SVG: horizontal bars in black, grey and hatching
(readable printed in black and white), every value written beside its bar. The
table under each chart carries the same numbers for screen readers; the SVG has a
title and a description of its own."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from mamoru.lib.figures import Table

BAR_HEIGHT = 16
ROW_GAP = 6
LABEL_WIDTH = 150
VALUE_WIDTH = 56
CHART_WIDTH = 500
# Fills of the series, in order: black, hatching, grey, dots (patterns defined in the SVG).
FILLS = ("#000", "url(#hatch)", "#888", "url(#dots)")

_PATTERNS = (
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="2"/>'
    '</pattern><pattern id="dots" width="5" height="5" patternUnits="userSpaceOnUse">'
    '<rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1.2" fill="#000"/></pattern></defs>'
)


def _number(value) -> str:
    if value is None:
        return "－"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def bar_chart(table: Table, *, series: int = 1, shown: list | None = None) -> SafeString:
    """Bars of the first ``series`` columns for each row. ``shown``: the values as
    published (e.g. 「10未満」 in the public report) in place of the table's numbers."""
    series = max(1, min(series, len(table.columns), len(FILLS)))
    rows = table.rows
    if not rows:
        return mark_safe("")  # noqa: S308 - nothing to draw
    values = [[row.values[i] if isinstance(row.values[i], int | float) else 0 for i in range(series)] for row in rows]
    top = max((v for row in values for v in row), default=0) or 1
    bar_area = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    group = BAR_HEIGHT * series + ROW_GAP
    legend = 20 if series > 1 else 0
    height = legend + group * len(rows) + ROW_GAP
    title = escape(table.title)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="chart-{table.key}-title chart-{table.key}-desc">',
        f'<title id="chart-{table.key}-title">{title}</title>',
        f'<desc id="chart-{table.key}-desc">{escape(_description(table, series, shown))}</desc>',
        _PATTERNS,
    ]
    if series > 1:
        x = LABEL_WIDTH
        for index in range(series):
            parts.append(
                f'<rect x="{x}" y="4" width="12" height="12" fill="{FILLS[index]}" stroke="#000" stroke-width="0.5"/>'
                f'<text x="{x + 16}" y="14" font-size="11">{escape(table.columns[index])}</text>'
            )
            x += 16 + 12 * len(table.columns[index]) + 16
    for number, (row, row_values) in enumerate(zip(rows, values, strict=True)):
        y = legend + ROW_GAP + number * group
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT * series / 2 + 4}" font-size="11" '
            f'text-anchor="end">{escape(row.label)}</text>'
        )
        for index, value in enumerate(row_values):
            width = round(bar_area * max(value, 0) / top, 1)
            bar_y = y + index * BAR_HEIGHT
            text = shown[number][index] if shown else _number(row.values[index])
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{width}" height="{BAR_HEIGHT - 2}" '
                f'fill="{FILLS[index]}" stroke="#000" stroke-width="0.5"/>'
                f'<text x="{LABEL_WIDTH + width + 4}" y="{bar_y + BAR_HEIGHT - 5}" font-size="11">{escape(text)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _description(table: Table, series: int, shown) -> str:
    lines = []
    for number, row in enumerate(table.rows):
        values = [f"{table.columns[i]} {shown[number][i] if shown else _number(row.values[i])}" for i in range(series)]
        lines.append(f"{row.label}: {'、'.join(values)}")
    return "。".join(lines)
