"""応援要請の集計 (issue 16): calls by month and department, escalations, calls nobody
took, and the waiting times (median, 95th percentile), checked against numbers worked
out by hand from the fixture below."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from backup_calls.models import BackupCall
from backup_calls.services import backup_call_create, backup_call_resolve, backup_call_take
from records.services import contact_start

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def _no_background_loop(settings):
    settings.MAMORU_BACKUP_ESCALATION_INTERVAL = 0
    settings.MAMORU_REPETITION_RECOUNT_INTERVAL = 0


def at(year, month, day, hour=10, minute=0, second=0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=TOKYO)


def call(caller, taker, raised, *, waited=None, manager=False, specialist=False, resolve=False):
    """A call made and taken through the services, then moved to ``raised`` (the
    services stamp the present moment; the figures need calls in the past)."""
    made = backup_call_create(actor=caller, contact=contact_start(actor=caller, channel="counter"))
    if waited is not None:
        backup_call_take(actor=taker, call=made)
    if resolve:
        backup_call_resolve(actor=taker, call=made)
    BackupCall.objects.filter(pk=made.pk).update(
        created_at=raised,
        taken_at=raised + dt.timedelta(seconds=waited) if waited is not None else None,
        manager_alerted_at=raised + dt.timedelta(seconds=60) if manager else None,
        specialist_alerted_at=raised + dt.timedelta(seconds=120) if specialist else None,
    )
    return made


@pytest.fixture
def calls(city):
    call(city.staff, city.supervisor, at(2025, 4, 1, 0, 5), waited=20)  # first minutes of the fiscal year
    call(city.staff, city.supervisor, at(2025, 6, 10), waited=40)
    call(city.staff, city.manager, at(2025, 6, 11), waited=100, manager=True)
    call(city.staff, city.supervisor, at(2025, 11, 30, 23, 59, 30), manager=True, specialist=True, resolve=True)
    call(city.zeimu_staff, city.specialist, at(2025, 7, 1), waited=300)
    call(city.staff, city.supervisor, at(2025, 3, 31, 23, 59), waited=5)  # the fiscal year before
    call(city.staff, city.supervisor, at(2026, 4, 1, 0, 0), waited=5)  # the fiscal year after


def tables_for(client, **query):
    page = client.get(reverse("stats:dashboard"), query)
    assert page.status_code == 200
    return {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}


def test_calls_by_month_and_department_for_the_specialist_section(city, client_for, calls):
    tables = tables_for(client_for(city.specialist), fiscal_year=2025)
    months = {r.label: r.values for r in tables["backup_calls_by_month"].rows}
    assert len(months) == 12
    assert months["令和7年4月"] == [1, 0, 0, 0]
    assert months["令和7年6月"] == [2, 1, 0, 0]
    assert months["令和7年7月"] == [1, 0, 0, 0]
    assert months["令和7年11月"] == [1, 1, 1, 1]
    assert months["令和7年5月"] == [0, 0, 0, 0] and months["令和8年3月"] == [0, 0, 0, 0]
    assert tables["backup_calls_by_month"].column_totals() == [5, 2, 1, 1]
    departments = {r.label: r.values for r in tables["backup_calls_by_department"].rows}
    assert departments == {"市民課": [4, 2, 1, 1], "税務課": [1, 0, 0, 0], "総務課": [0, 0, 0, 0]}


def test_waiting_times_are_ranked_exactly(city, client_for, calls):
    tables = tables_for(client_for(city.specialist), fiscal_year=2025)
    # Taken after 20, 40, 100 and 300 seconds: rank ⌈0.5×4⌉ = 2 → 40; rank ⌈0.95×4⌉ = 4 → 300.
    assert tables["backup_call_waiting_times"].rows[0].values == [4, 40, 300]
    assert not tables["backup_call_waiting_times"].public


def test_a_manager_counts_their_department_only(city, client_for, calls):
    tables = tables_for(client_for(city.manager), fiscal_year=2025)
    assert [r.label for r in tables["backup_calls_by_department"].rows] == ["市民課"]
    assert tables["backup_calls_by_month"].column_totals() == [4, 2, 1, 1]
    # 20, 40, 100: rank 2 → 40; rank ⌈0.95×3⌉ = 3 → 100.
    assert tables["backup_call_waiting_times"].rows[0].values == [3, 40, 100]


def test_no_call_taken_shows_no_time(city, client_for):
    tables = tables_for(client_for(city.specialist), fiscal_year=2024)
    assert tables["backup_call_waiting_times"].rows[0].values == [0, None, None]
    page = client_for(city.specialist).get(reverse("stats:dashboard"), {"fiscal_year": 2024})
    assert "応援要請から「向かいます」までの時間" in page.content.decode()
