"""Small-count suppression (少数秘匿) for the published report.

A count ``0 < n < threshold`` is published as 「10未満」 (primary suppression; the
threshold's number in the label). Zero stays 0, as in most Japanese public
statistics: "nobody" identifies nobody. A published column total under the
threshold is a small count too and is suppressed alike, in every table that
carries it (the rule depends on the value only, so the same total is treated the
same way everywhere in the report).

Where the published cells and totals would let a reader work out a suppressed
value (the total minus the others), further cells are hidden as 「秘匿」
(secondary suppression), smallest non-zero first, until no suppressed value is
pinned; where no cell is left to hide, the total itself is hidden as 「秘匿」 (and the
same total in the report's other tables, see ``suppress_report``). Cells computed from
a suppressed count (its hours, a share of it, an average) are hidden with it.

What a reader can know, and what "pinned" means: each column of an additive table
is one equation (cells = total). A 「10未満」 cell is any whole number 1…threshold−1,
a 「秘匿」 count any whole number ≥ 0, hidden hours any real ≥ 0 (the usual model of
a suppression audit). A suppressed count is protected when at least two values
remain possible, hours when more than one. With one equation per column and box
bounds the range of each unknown is exact in closed form (``cell_range``);
tests/test_stats_suppression.py checks the result by exhaustive search and
linear programming, independently of this code."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from mamoru.lib.figures import Number, Table

PRIMARY = "primary"  # a small count: 「10未満」
SECONDARY = "secondary"  # hidden so that a small count cannot be worked out: 「秘匿」
DERIVED = "derived"  # computed from a hidden count: 「秘匿」
HIDDEN_LABEL = "秘匿"


def small_label(threshold: int) -> str:
    return f"{threshold}未満"


@dataclass
class Published:
    """A table as published: each value a number, or the label that stands for it."""

    table: Table
    rows: list[list[Number | str]]
    totals: list[Number | str] | None  # None: the table publishes no totals
    threshold: int | None = None  # None: nothing suppressed (an internal report)
    marks: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → PRIMARY…
    total_marks: dict[int, str] = field(default_factory=dict)  # column → PRIMARY…

    @property
    def suppressed(self) -> bool:
        return bool(self.marks or self.total_marks)

    def as_table(self) -> Table:
        """The table with published values (labels in place of hidden numbers), for charts."""
        rows = [replace(row, values=list(values)) for row, values in zip(self.table.rows, self.rows, strict=True)]
        return replace(self.table, rows=rows)


def has_totals(table: Table) -> bool:
    """Whether the report prints a total under each column (as ``stats.display.shown_table``)."""
    return table.additive and len(table.rows) > 1


def unsuppressed(table: Table) -> Published:
    totals = table.column_totals() if has_totals(table) else None
    return Published(table=table, rows=[list(row.values) for row in table.rows], totals=totals)


def _is_count(table: Table, column: int) -> bool:
    return table.column_format(column) == "int" and column not in table.derived_from


def _bases(table: Table, column: int) -> tuple[int, ...]:
    if column in table.derived_from:
        return table.derived_from[column]
    if _is_count(table, column):
        return ()
    return tuple(c for c in range(len(table.columns)) if _is_count(table, c))


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def cell_range(bounds: list[tuple[float, float]], coefficients: list[int], rest: float, index: int):
    """The least and greatest value of unknown ``index`` where ``Σ coefficient·x = rest``
    and each unknown lies within its bounds (``math.inf`` for none)."""
    low_sum = high_sum = 0.0
    for other, ((low, high), a) in enumerate(zip(bounds, coefficients, strict=True)):
        if other == index:
            continue
        low_sum += min(a * low, a * high)
        high_sum += max(a * low, a * high)
    a = coefficients[index]
    # a·x = rest − (the others), the others between low_sum and high_sum
    first, second = (rest - high_sum) * a, (rest - low_sum) * a
    low, high = bounds[index]
    return max(low, min(first, second)), min(high, max(first, second))


class _Protection:
    """One table's suppression, worked out step by step."""

    def __init__(self, table: Table, threshold: int, hidden_totals: set[int]):
        self.table = table
        self.threshold = threshold
        self.marks: dict[tuple[int, int], str] = {}
        self.total_marks: dict[int, str] = {}
        self.totals = table.column_totals() if has_totals(table) else None
        for r, row in enumerate(table.rows):
            for c, value in enumerate(row.values):
                if _is_count(table, c) and _number(value) and 0 < value < threshold:
                    self.marks[(r, c)] = PRIMARY
        if self.totals is not None:
            for c, total in enumerate(self.totals):
                if _is_count(table, c) and _number(total) and 0 < total < threshold:
                    self.total_marks[c] = PRIMARY
            for c in hidden_totals:
                self.total_marks[c] = SECONDARY

    def value(self, r: int, c: int):
        return self.table.rows[r].values[c]

    def _derive(self) -> bool:
        changed = False
        for c in range(len(self.table.columns)):
            bases = _bases(self.table, c)
            if not bases:
                continue
            for r in range(len(self.table.rows)):
                if (r, c) not in self.marks and any((r, b) in self.marks for b in bases):
                    if _number(self.value(r, c)):
                        self.marks[(r, c)] = DERIVED
                        changed = True
            if self.totals is not None and c not in self.total_marks:
                if any(b in self.total_marks for b in bases):
                    self.total_marks[c] = DERIVED
                    changed = True
        return changed

    def bounds(self, r: int | None, c: int) -> tuple[float, float]:
        mark = self.total_marks.get(c) if r is None else self.marks.get((r, c))
        if mark == PRIMARY:
            return 1.0, float(self.threshold - 1)
        return 0.0, math.inf

    def column_equation(self, c: int):
        """The unknowns of column ``c`` (row index, or None for the total), their
        coefficients and the known right-hand side: Σ cells − total = 0."""
        unknowns: list[int | None] = []
        coefficients: list[int] = []
        rest = 0.0
        for r in range(len(self.table.rows)):
            value = self.value(r, c)
            if (r, c) in self.marks:
                unknowns.append(r)
                coefficients.append(1)
            elif _number(value):
                rest -= value
        if c in self.total_marks:
            unknowns.append(None)
            coefficients.append(-1)
        else:
            rest += self.totals[c] or 0
        return unknowns, coefficients, rest

    def pinned(self, c: int) -> list[int | None]:
        """The unknowns of column ``c`` whose value the published figures fix."""
        unknowns, coefficients, rest = self.column_equation(c)
        bounds = [self.bounds(r, c) for r in unknowns]
        width = 1 if _is_count(self.table, c) else 1e-9
        found = []
        for index, r in enumerate(unknowns):
            low, high = cell_range(bounds, coefficients, rest, index)
            if high - low < width:
                found.append(r)
        return found

    def _partner(self, c: int) -> bool:
        """Hide one more cell of column ``c`` (the smallest non-zero), or else its total."""
        candidates = [
            (self.value(r, c), r)
            for r in range(len(self.table.rows))
            if (r, c) not in self.marks and _number(self.value(r, c)) and self.value(r, c) > 0
        ]
        if candidates:
            _, r = min(candidates)
            self.marks[(r, c)] = SECONDARY
            # A partner of a computed column takes its counts along, so that the columns stay alike.
            for b in _bases(self.table, c):
                if (r, b) not in self.marks and _number(self.value(r, b)) and self.value(r, b) > 0:
                    self.marks[(r, b)] = SECONDARY
            return True
        if self.total_marks.get(c) != SECONDARY:
            # Not even 「10未満」: nine cells of 1 under a total 「10未満」 can only be 1 each.
            self.total_marks[c] = SECONDARY
            return True
        return False

    def run(self) -> None:
        if self.totals is None:
            self._derive()
            return
        for _ in range(10 * (len(self.table.rows) + 1) * (len(self.table.columns) + 1)):
            changed = self._derive()
            for c in range(len(self.table.columns)):
                if self.pinned(c) and self._partner(c):
                    changed = True
                    break
            if not changed:
                return
        raise RuntimeError(f"suppression of {self.table.key} does not settle")  # pragma: no cover

    def published(self) -> Published:
        label = small_label(self.threshold)

        def shown(value, mark):
            if mark is None:
                return value
            return label if mark == PRIMARY else HIDDEN_LABEL

        rows = [
            [shown(value, self.marks.get((r, c))) for c, value in enumerate(row.values)]
            for r, row in enumerate(self.table.rows)
        ]
        totals = None
        if self.totals is not None:
            totals = [shown(total, self.total_marks.get(c)) for c, total in enumerate(self.totals)]
        return Published(
            table=self.table,
            rows=rows,
            totals=totals,
            threshold=self.threshold,
            marks=dict(self.marks),
            total_marks=dict(self.total_marks),
        )


def suppress_table(table: Table, threshold: int, *, hidden_totals: set[int] | None = None) -> Published:
    """``table`` as published with small counts suppressed (``threshold`` ≥ 1).
    ``hidden_totals``: columns whose total must be hidden (it is hidden in another table)."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    protection = _Protection(table, threshold, set(hidden_totals or ()))
    protection.run()
    return protection.published()


def suppress_report(tables: list[Table], threshold: int) -> list[Published]:
    """Every table of a report. A total hidden to protect its column (not a small
    count: those are hidden everywhere by their value) is hidden too in every other
    table that publishes the same total under the same column name, with a cell of
    that column (so that adding its cells up cannot give it back)."""
    published = [suppress_table(table, threshold) for table in tables]
    for _ in range(len(tables) + 1):
        hidden = {
            (p.table.columns[c], p.table.column_totals()[c])
            for p in published
            for c, mark in p.total_marks.items()
            if mark == SECONDARY
        }
        changed = False
        for index, p in enumerate(published):
            if p.totals is None:
                continue
            extra = {
                c
                for c, total in enumerate(p.table.column_totals())
                if (p.table.columns[c], total) in hidden and p.total_marks.get(c) != SECONDARY
            }
            if extra:
                published[index] = suppress_table(p.table, threshold, hidden_totals=extra | _secondary_totals(p))
                changed = True
        if not changed:
            break
    return published


def _secondary_totals(p: Published) -> set[int]:
    return {c for c, mark in p.total_marks.items() if mark == SECONDARY}
