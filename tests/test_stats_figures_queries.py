"""The figures of backup calls, cases, repetition, measures, posts and requests run a
number of queries that does not grow with the data (grouped queries, no loop over rows)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mamoru.lib.figures import sections
from stats.periods import fiscal_year_period
from stats.selectors import stats_scope

from .test_stats_figures_backup_calls import call
from .test_stats_figures_business_requests import request
from .test_stats_figures_cases import case
from .test_stats_figures_measures import measure
from .test_stats_figures_online import post
from .test_stats_figures_repetition import flagged

TOKYO = ZoneInfo("Asia/Tokyo")
KEYS = ("backup_calls", "cases", "repetition", "measures", "online", "business_requests")


@pytest.fixture(autouse=True)
def _no_background_loop(settings):
    settings.MAMORU_BACKUP_ESCALATION_INTERVAL = 0
    settings.MAMORU_REPETITION_RECOUNT_INTERVAL = 0


def one_of_each(city, n):
    at = dt.datetime(2025, 6, 1 + n, 10, tzinfo=TOKYO)
    call(city.staff, city.supervisor, at, waited=30 + n)
    case(city.staff, city.supervisor, f"事案{n}", at)
    flagged(city, city.staff, f"繰返{n}", at, decide="confirmed")
    measure(city, "caution", at, issued=at)
    post(city, 100 + n, at, [city.staff], removed=at.date() + dt.timedelta(days=n + 1))
    request(city, at.date(), [city.staff], outcome="no_fact", replied=at.date() + dt.timedelta(days=n + 2))


def queries(city):
    """Queries per section; the fewer of two runs, so that a query some other part of
    the app makes once in a while (a cache filled) is not taken for a loop over rows."""
    scope = stats_scope(user=city.specialist, period=fiscal_year_period(2025))
    counted = {}
    for section in sections():
        if section.key in KEYS:
            runs = []
            for _ in range(2):
                with CaptureQueriesContext(connection) as captured:
                    section.compute(scope)
                runs.append(len(captured.captured_queries))
            counted[section.key] = min(runs)
    return counted


def test_query_counts_do_not_grow_with_the_data(city):
    one_of_each(city, 0)
    few = queries(city)
    assert set(few) == set(KEYS)
    for n in range(1, 4):
        one_of_each(city, n)
    assert queries(city) == few
    assert all(count <= 8 for count in few.values()), few


def test_the_public_report_carries_the_counts_not_the_internal_times(city):
    from stats.selectors import stats_sections

    one_of_each(city, 0)
    scope = stats_scope(user=city.specialist, period=fiscal_year_period(2025), public=True)
    keys = {table.key for section, tables in stats_sections(scope=scope) if section.key in KEYS for table in tables}
    assert keys == {
        "backup_calls_by_month",
        "backup_calls_by_department",
        "cases_by_state",
        "cases_by_department",
        "repetition_flags_by_rule",
        "repetition_residents",
        "measures_issued",
        "online_posts_by_platform",
        "online_posts_by_step",
        "business_requests_by_step",
        "business_requests_by_outcome",
    }
    assert not any(table.names_people for section, tables in stats_sections(scope=scope) for table in tables)


def test_a_department_renamed_within_the_year_keeps_one_row(city, client_for):
    from django.urls import reverse

    one_of_each(city, 0)
    city.shimin.name = "市民生活課"
    city.shimin.save()
    page = client_for(city.specialist).get(reverse("stats:dashboard"), {"fiscal_year": 2025})
    tables = {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}
    assert {r.label: r.values[0] for r in tables["backup_calls_by_department"].rows}["市民生活課"] == 1
    assert {r.label: r.values[0] for r in tables["cases_by_department"].rows}["市民生活課"] == 1
