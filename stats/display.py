"""Tables as the page and the printed report show them: numbers formatted, totals added."""

from __future__ import annotations

from dataclasses import dataclass

from mamoru.lib.figures import Table


def format_value(value, kind: str = "int") -> str:
    if value is None:
        return "－"
    if isinstance(value, str):
        return value
    if kind in ("hours", "percent", "minutes") or isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


@dataclass
class ShownTable:
    table: Table
    rows: list[tuple[str, str, list[str]]]  # label, link, values as shown
    totals: list[str] | None


def shown_table(table: Table, *, links: bool = True) -> ShownTable:
    rows = [
        (
            row.label,
            row.link if links else "",
            [format_value(v, table.column_format(i)) for i, v in enumerate(row.values)],
        )
        for row in table.rows
    ]
    totals = None
    if table.additive and len(table.rows) > 1:
        totals = [format_value(v, table.column_format(i)) for i, v in enumerate(table.column_totals())]
    return ShownTable(table=table, rows=rows, totals=totals)
