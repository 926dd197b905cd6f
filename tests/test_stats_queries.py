"""The dashboard's number of SQL statements (issue 16, performance): the same with
3 contacts as with 30, for the specialist section (every department) and for a
manager (one department), so that counting stays in the database and no figure
reads a row per contact, department or month.

When a section is added to the statistics, its queries add to the pinned
numbers: raise them by what the new section reads (a bounded number, whatever
the data), never because a count grows with the data."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from records.choices import HarassmentJudgement
from records.tally import contact_tally_pending

from .factories import make_contact

TOKYO = ZoneInfo("Asia/Tokyo")
CHANNELS = ("counter", "phone", "visit", "mail")
CATEGORIES = ("verbal_abuse", "threat", "long_detention", "repetition")
# The page itself: 8 (the session, the user with their department, the departments of
# the filter and of the scope, the header's unread notifications, the session saved:
# savepoint, update, release); the contact figures: 9 (the days waiting to be counted
# again, none here; then one grouped query per table over the tallies: by month, the
# time limit, by department + its departments, by channel, by category, by hour, by
# weekday; with days waiting, one more per table counts their contacts); the other
# apps' sections (backup calls, cases, repetition, measures, online posts, and for the
# specialist section the requests from other businesses): a fixed number each, none
# growing with the rows; the summary at the top: 4 (the days waiting and the tallies,
# of this period and of the one before).
SPECIALIST_QUERIES = 45
MANAGER_QUERIES = 39


def contacts_made(city, count: int):
    """``count`` contacts of fiscal year 2025 over three departments, every month,
    four channels, all judgements, some with categories; some run past midnight."""
    staff = (city.staff, city.zeimu_staff, city.specialist)
    made = []
    for number in range(count):
        actor = staff[number % len(staff)]
        month = 4 + number % 12
        year = 2025 if month <= 12 else 2026
        month = month if month <= 12 else month - 12
        started = dt.datetime(year, month, 1 + number % 28, (8 + number * 5) % 24, number % 60, tzinfo=TOKYO)
        fields = {"channel": CHANNELS[number % len(CHANNELS)], "minutes": 5 + number * 7 % 50}
        if number % 3 == 0:
            fields.update(
                harassment=HarassmentJudgement.YES,
                categories=[CATEGORIES[number % len(CATEGORIES)]],
                content_unreasonable="no",
                manner_inappropriate="yes",
                manner_reason="大声で職員を罵倒し続けた",
            )
        elif number % 3 == 1:
            fields["harassment"] = HarassmentJudgement.UNSURE
        minutes = fields.pop("minutes")
        made.append(
            make_contact(
                actor,
                department=actor.department,
                started_at=started,
                ended_at=started + dt.timedelta(minutes=minutes),
                **fields,
            )
        )
    return made


def dashboard_queries(client, params) -> tuple[int, dict]:
    """The statements of one dashboard request (after one to warm the caches), and its tables."""
    client.get(reverse("stats:dashboard"), params)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("stats:dashboard"), params)
    assert page.status_code == 200
    return len(queries.captured_queries), tables_of(page)


def tables_of(page) -> dict:
    return {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}


@pytest.mark.parametrize("count", [3, 30])
def test_the_specialist_dashboard_reads_a_fixed_number_of_statements(
    city, client_for, django_assert_num_queries, count
):
    contacts_made(city, count)
    contact_tally_pending()  # the background loop's pass
    client = client_for(city.specialist)
    client.get(reverse("stats:dashboard"), {"fiscal_year": 2025})  # warms the caches (the pack, the session)
    with django_assert_num_queries(SPECIALIST_QUERIES):
        page = client.get(reverse("stats:dashboard"), {"fiscal_year": 2025})
    tables = tables_of(page)
    # The figures are those of the fixture (so the statements counted did the work).
    assert sum(row.values[0] for row in tables["contacts_by_month"].rows) == count
    assert len(tables["contacts_by_department"].rows) == 3


@pytest.mark.parametrize("count", [3, 30])
def test_a_managers_dashboard_reads_a_fixed_number_of_statements(city, client_for, django_assert_num_queries, count):
    contacts_made(city, count)
    contact_tally_pending()
    client = client_for(city.manager)
    client.get(reverse("stats:dashboard"), {"fiscal_year": 2025})
    with django_assert_num_queries(MANAGER_QUERIES):
        page = client.get(reverse("stats:dashboard"), {"fiscal_year": 2025})
    tables = tables_of(page)
    in_shimin = len(range(0, count, 3))  # city.staff made every third contact
    assert sum(row.values[0] for row in tables["contacts_by_month"].rows) == in_shimin
    assert [row.label for row in tables["contacts_by_department"].rows] == ["市民課"]


def test_the_count_does_not_grow_with_the_data(city, client_for):
    """3 contacts, then 27 more in other months and departments, their days still waiting
    to be counted again (counted from the contacts): the same statements."""
    contacts_made(city, 3)
    client = client_for(city.specialist)
    few, _ = dashboard_queries(client, {"fiscal_year": 2025})
    contacts_made(city, 27)
    many, tables = dashboard_queries(client, {"fiscal_year": 2025})
    assert sum(row.values[0] for row in tables["contacts_by_month"].rows) == 30
    assert few == many
