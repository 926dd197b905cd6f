"""Figures: how each app adds its tables to the statistics pages and reports
(issue 16) without the statistics app importing it.

An app that has something to count registers a section in its
``AppConfig.ready()``::

    register_figures(key="backup_calls", title="応援要請", order=40, compute=backup_call_figures)

``compute(scope)`` counts in the database (grouped queries, never a loop over
rows) for ``scope.period`` and ``scope.department_ids`` and returns a list of
``Table``. A table the public report may carry says ``public=True``; one that
names a person says ``names_people=True`` and is never public nor shown to staff.
Counts that add up (``additive=True``) get totals and, in the public report,
small-count suppression (``stats.suppression``).

Sections run in ``order``; each may run a bounded number of queries whatever
the size of the data (tests/test_stats_queries.py pins the dashboard's count)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Number = int | float | None


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included, read in the city's time zone."""

    start: dt.date
    end: dt.date
    label: str = ""
    # What the period is, so that the previous one is found alike: "fiscal_year", "month" or "range".
    kind: str = "range"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the period touches, in order."""
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def bounds(self, tz) -> tuple[dt.datetime, dt.datetime]:
        """The first moment of ``start`` and the first moment after ``end``, aware in ``tz``."""
        return (
            dt.datetime.combine(self.start, dt.time.min, tz),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tz),
        )


@dataclass(frozen=True)
class Scope:
    """What to count: the period, the departments (ids, already narrowed to the
    user's), and who asks. ``public`` for the published yearly report."""

    period: Period
    department_ids: tuple[int, ...]
    user: Any = None
    public: bool = False


@dataclass
class Row:
    label: str
    values: list[Number]
    # The records behind the row, narrowed to what the reader may see ("" when there is no list).
    link: str = ""


@dataclass
class Table:
    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[Row]
    unit: str = "件"
    note: str = ""
    # "bar" (one bar per row, first column), "stacked" (every column), or "" (no chart).
    chart: str = "bar"
    additive: bool = True
    public: bool = False
    names_people: bool = False
    # Number formats per column, for Excel and the page: "int", "hours", "percent", "seconds".
    formats: list[str] = field(default_factory=list)
    # Columns computed from others of the same row (hours or a share of a count): column index →
    # the columns it is computed from. Suppression hides such a cell with its count; an undeclared
    # non-"int" column counts as computed from every "int" column (stats.suppression).
    derived_from: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def column_format(self, index: int) -> str:
        return self.formats[index] if index < len(self.formats) else "int"

    def column_totals(self) -> list[Number]:
        """The sum of each column, where the counts add up; ``None`` elsewhere."""
        if not self.additive:
            return [None] * len(self.columns)
        totals: list[Number] = []
        for index in range(len(self.columns)):
            values = [row.values[index] for row in self.rows if row.values[index] is not None]
            totals.append(sum(values) if values else 0)
        return totals


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int
    compute: Callable[[Scope], list[Table]]
    # Who sees the section on the dashboard besides its compute's own narrowing (None: all readers of /stats/).
    audience: Callable[[Any], bool] | None = None


_SECTIONS: dict[str, Section] = {}


def register_figures(
    *,
    key: str,
    title: str,
    compute: Callable[[Scope], list[Table]],
    order: int = 100,
    audience: Callable[[Any], bool] | None = None,
) -> Section:
    """Register (or, under the same ``key``, replace) a section of figures."""
    section = Section(key=key, title=title, order=order, compute=compute, audience=audience)
    _SECTIONS[key] = section
    return section


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def sections_for(user) -> list[Section]:
    return [s for s in sections() if s.audience is None or user is None or s.audience(user)]


def nearest_rank(queryset, expression, fraction: float, *, count: int | None = None):
    """The value at ``fraction`` (0.5 the median, 0.95 the 95th percentile) of
    ``expression`` over ``queryset`` by the nearest-rank method: sort, then take the
    ⌈fraction × n⌉-th value. Exact, the same on SQLite and PostgreSQL, and two
    queries whatever the number of rows (one when ``count`` is given): the count,
    then ORDER BY … OFFSET k-1 LIMIT 1. ``None`` when there is no row."""
    import math

    n = queryset.count() if count is None else count
    if not n:
        return None
    rank = max(1, math.ceil(fraction * n))
    rows = queryset.annotate(_ranked=expression).order_by("_ranked").values_list("_ranked", flat=True)
    return rows[rank - 1 : rank][0]
