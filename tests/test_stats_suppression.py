"""Small-count suppression (issue 16): no suppressed value can be worked out from what
the report publishes.

The proof rebuilds what a reader knows from the published table alone (its numbers,
its labels and its totals; never the module's own marks): each column with a total
is one equation; a 「N未満」 cell is a whole number 1…N−1, a 「秘匿」 count a whole
number ≥ 0, hidden hours a real ≥ 0. For every hidden value it then finds the least
and the greatest value any completion allows, by exhaustive search on small tables
and by mixed-integer linear programming (scipy's ``milp``) on random ones, and
asserts that more than one value remains (and that the true value is among them)."""

import itertools
import math
import random

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from mamoru.lib.figures import Row, Table
from stats.suppression import suppress_report, suppress_table

HIDDEN = "秘匿"
UNBOUNDED = 1e6  # "any count ≥ 0", as far as the solver is concerned


def make_table(values, *, formats=None, derived_from=None, additive=True, columns=None, key="t"):
    width = len(values[0])
    return Table(
        key=key,
        title=key,
        row_header="",
        columns=columns or [f"列{c}" for c in range(width)],
        rows=[Row(label=f"行{r}", values=list(row)) for r, row in enumerate(values)],
        formats=formats or ["int"] * width,
        derived_from=derived_from or {},
        additive=additive,
    )


def reader_unknowns(published, threshold):
    """Per column: [(row or None for the total, low, high, integer, true value)], and the known rest."""
    table = published.table
    model = {}
    for c in range(len(table.columns)):
        integer = table.formats[c] == "int" if c < len(table.formats) else True
        unknowns, rest = [], 0.0
        cells = [(r, published.rows[r][c], table.rows[r].values[c]) for r in range(len(table.rows))]
        if published.totals is not None:
            cells.append((None, published.totals[c], table.column_totals()[c]))
        for r, shown, true in cells:
            sign = -1 if r is None else 1
            if shown == f"{threshold}未満":
                assert integer and 0 < true < threshold
                unknowns.append((r, sign, 1, threshold - 1, integer, true))
            elif shown == HIDDEN:
                unknowns.append((r, sign, 0, math.inf, integer, true))
            else:
                assert shown == true  # a published number is the true one
                if shown is not None:
                    rest -= sign * shown
        model[c] = (unknowns, rest)
    return model


def milp_range(unknowns, rest, index):
    """Least and greatest value of unknown ``index`` under Σ sign·x = rest (the column equation)."""
    signs = np.array([u[1] for u in unknowns], dtype=float)
    lows = np.array([u[2] for u in unknowns], dtype=float)
    highs = np.array([min(u[3], UNBOUNDED) for u in unknowns], dtype=float)
    integrality = np.array([1 if u[4] else 0 for u in unknowns])
    constraint = LinearConstraint(signs.reshape(1, -1), rest, rest)
    found = []
    for direction in (1, -1):
        objective = np.zeros(len(unknowns))
        objective[index] = direction
        result = milp(objective, constraints=constraint, bounds=Bounds(lows, highs), integrality=integrality)
        assert result.success, result.message
        found.append(result.x[index])
    return found[0], found[1]


def exhaustive_range(unknowns, rest, index, cap):
    """The same by trying every whole-number completion (small tables)."""
    ranges = [range(int(u[2]), int(min(u[3], cap)) + 1) for u in unknowns]
    seen = [
        values[index]
        for values in itertools.product(*ranges)
        if sum(u[1] * v for u, v in zip(unknowns, values, strict=True)) == rest
    ]
    return min(seen), max(seen)


def assert_protected(published, threshold, *, exhaustive=False):
    """Every hidden value: the true one is possible, and so is at least one other."""
    has_equations = published.totals is not None
    for c, (unknowns, rest) in reader_unknowns(published, threshold).items():
        for index, (r, _sign, _low, _high, integer, true) in enumerate(unknowns):
            if not has_equations:
                continue  # no total: a hidden cell is bound by its label only
            if exhaustive:
                cap = int(sum(v for row in published.table.rows for v in row.values if isinstance(v, int)) + 1)
                low, high = exhaustive_range(unknowns, rest, index, cap)
            else:
                low, high = milp_range(unknowns, rest, index)
            assert low - 1e-6 <= true <= high + 1e-6, (published.table.key, r, c)
            width = 1 if integer else 1e-6
            assert high - low >= width - 1e-9, (
                f"{published.table.key}: 行{r} 列{c} の値 {true} が求まる ({low}〜{high})"
            )


def shown(published):
    return [row for row in published.rows], published.totals


def test_a_single_small_cell_gets_a_partner():
    published = suppress_table(make_table([[3], [20], [15], [40]]), 10)
    rows, totals = shown(published)
    assert rows == [["10未満"], [20], [HIDDEN], [40]]  # the smallest other non-zero cell
    assert totals == [78]
    assert_protected(published, 10, exhaustive=True)


def test_zero_stays_zero_and_is_never_a_partner():
    published = suppress_table(make_table([[0], [5], [30], [0], [12]]), 10)
    rows, totals = shown(published)
    assert rows == [[0], ["10未満"], [30], [0], [HIDDEN]]
    assert totals == [47]
    assert_protected(published, 10, exhaustive=True)


def test_the_total_row_under_the_threshold_is_suppressed_too():
    published = suppress_table(make_table([[3, 0], [0, 0], [0, 12]]), 10)
    rows, totals = shown(published)
    assert rows == [["10未満", 0], [0, 0], [0, 12]]
    assert totals == ["10未満", 12]  # 3 alone: the total would give it away
    assert_protected(published, 10, exhaustive=True)


def test_two_small_cells_that_fix_each_other_get_a_third():
    # 1 + 1 = 2: two 「10未満」 cells summing to 2 can only be 1 and 1.
    published = suppress_table(make_table([[1], [1], [25], [30]]), 10)
    rows, _ = shown(published)
    assert rows == [["10未満"], ["10未満"], [HIDDEN], [30]]
    assert_protected(published, 10, exhaustive=True)


def test_ten_ones_hide_their_total():
    published = suppress_table(make_table([[1]] * 10), 10)
    rows, totals = shown(published)
    assert all(row == ["10未満"] for row in rows)
    assert totals == [HIDDEN]
    assert_protected(published, 10)


def test_a_table_without_totals_has_primary_suppression_only():
    table = make_table([[3, 40], [25, 2]], additive=False)
    published = suppress_table(table, 10)
    assert published.rows == [["10未満", 40], [25, "10未満"]]
    assert published.totals is None


def test_hours_and_shares_of_a_hidden_count_are_hidden_with_it():
    table = make_table(
        [[4, 3, 75.0, 1.5], [120, 30, 25.0, 60.2]],
        formats=["int", "int", "percent", "hours"],
        derived_from={2: (0, 1), 3: (0,)},
        additive=False,
    )
    published = suppress_table(table, 10)
    assert published.rows == [["10未満", "10未満", HIDDEN, HIDDEN], [120, 30, 25.0, 60.2]]


def test_hours_follow_their_counts_with_totals():
    table = make_table(
        [[3, 1.2], [40, 20.5], [25, 9.0], [60, 31.0]],
        formats=["int", "hours"],
        derived_from={1: (0,)},
    )
    published = suppress_table(table, 10)
    assert published.rows == [["10未満", HIDDEN], [40, 20.5], [HIDDEN, HIDDEN], [60, 31.0]]
    assert published.totals == [128, 61.7]
    assert_protected(published, 10)


def test_the_threshold_is_the_one_asked_for():
    published = suppress_table(make_table([[4], [6], [30]]), 5)
    assert published.rows[0] == ["5未満"] and published.rows[1] == [HIDDEN]
    assert_protected(published, 5, exhaustive=True)
    with pytest.raises(ValueError):
        suppress_table(make_table([[1]]), 0)


def test_a_total_hidden_in_one_table_is_hidden_where_it_appears_again():
    by_department = make_table([[1]] * 10, columns=["うちカスハラ"], key="by_department")
    by_month = make_table([[0], [10], [0]], columns=["うちカスハラ"], key="by_month")
    first, second = suppress_report([by_department, by_month], 10)
    assert first.totals == [HIDDEN]
    assert second.totals == [HIDDEN]
    assert second.rows == [[0], [HIDDEN], [0]]  # else adding up the months gives the total back
    # Jointly: department cells sum to t, month cells sum to the same t; t unknown.
    # Each department cell is 1…9 and t = the hidden month cell (≥ 0): nothing is fixed.
    assert_protected(first, 10)
    assert_protected(second, 10)


@pytest.mark.parametrize("seed", range(6))
def test_random_tables_leave_nothing_to_derive(seed):
    rng = random.Random(seed)
    for _ in range(40):
        threshold = rng.choice([3, 5, 10])
        rows = rng.randint(2, 8)
        counts = rng.randint(1, 3)
        values = []
        for _ in range(rows):
            row = []
            for _ in range(counts):
                kind = rng.random()
                row.append(
                    0 if kind < 0.3 else rng.randint(1, threshold - 1) if kind < 0.7 else rng.randint(threshold, 60)
                )
            values.append(row)
        with_hours = rng.random() < 0.5
        if with_hours:
            for row in values:
                row.append(round(row[0] * rng.uniform(0.1, 0.9), 1))
        formats = ["int"] * counts + (["hours"] if with_hours else [])
        table = make_table(values, formats=formats, derived_from={counts: (0,)} if with_hours else {})
        published = suppress_table(table, threshold)
        for r, row in enumerate(published.rows):
            for c, value in enumerate(row):
                true = table.rows[r].values[c]
                if formats[c] == "int" and 0 < true < threshold:
                    assert value == f"{threshold}未満"
                if true == 0:
                    assert value == 0
        assert_protected(published, threshold)
