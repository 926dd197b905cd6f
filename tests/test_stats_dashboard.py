"""The statistics dashboard (issue 16): who reaches it, the period's messages, and
figures checked against counts made here from the fixture data."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from records.choices import HarassmentJudgement

from .factories import make_contact

TOKYO = ZoneInfo("Asia/Tokyo")
YES = dict(
    harassment=HarassmentJudgement.YES,
    categories=["verbal_abuse"],
    content_unreasonable="no",
    manner_inappropriate="yes",
    manner_reason="大声で職員を罵倒し続けた",
)


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def contact_on(actor, start, minutes=10, **fields):
    return make_contact(actor, started_at=start, ended_at=start + dt.timedelta(minutes=minutes), **fields)


@pytest.fixture
def year_2025(city):
    """Contacts of fiscal year 2025 (令和7年度) and just outside it."""
    made = [
        contact_on(city.staff, at(2025, 4, 1, 0, 5)),  # first minutes of the fiscal year
        contact_on(city.staff, at(2025, 4, 1, 9), minutes=45, **YES),
        contact_on(city.staff, at(2025, 11, 30, 23, 50), minutes=20),  # runs past midnight: counted on the 30th
        contact_on(city.staff, at(2026, 3, 31, 23, 59), harassment=HarassmentJudgement.UNSURE),  # last minute
        contact_on(city.zeimu_staff, at(2025, 6, 2, 14), minutes=31, **YES),
        contact_on(city.staff, at(2025, 3, 31, 23, 59)),  # the fiscal year before
        contact_on(city.staff, at(2026, 4, 1, 0, 0)),  # the fiscal year after
    ]
    return made


def test_only_managers_and_the_specialist_section_read_the_figures(city, client_for):
    for user in (city.staff, city.supervisor, city.admin):
        assert client_for(user).get(reverse("stats:dashboard")).status_code == 403
    assert client_for(city.manager).get(reverse("stats:dashboard")).status_code == 200
    assert client_for(city.specialist).get(reverse("stats:dashboard")).status_code == 200


def test_fiscal_year_counts_match_the_fixture(city, client_for, year_2025):
    page = client_for(city.specialist).get(reverse("stats:dashboard"), {"period": "fiscal_year", "fiscal_year": 2025})
    assert page.status_code == 200
    tables = {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}
    months = tables["contacts_by_month"]
    assert [r.label for r in months.rows][:1] == ["令和7年4月"]
    assert sum(r.values[0] for r in months.rows) == 5
    assert sum(r.values[1] for r in months.rows) == 2
    by_month = {r.label: r.values[0] for r in months.rows}
    assert by_month["令和7年4月"] == 2 and by_month["令和7年11月"] == 1 and by_month["令和8年3月"] == 1
    departments = {r.label: r.values for r in tables["contacts_by_department"].rows}
    assert departments["市民課"][:3] == [4, 1, 1]
    assert departments["税務課"][:2] == [1, 1]
    over = tables["contacts_over_limit"].rows
    assert over[0].values[:2] == [5, 2]  # 45 and 31 minutes run past 30
    assert over[1].values[:2] == [2, 2]
    hours = {r.label: r.values[0] for r in tables["contacts_by_hour"].rows}
    assert hours["0時台"] == 1 and hours["23時台"] == 2 and hours["9時台"] == 1


def test_a_manager_counts_only_their_department(city, client_for, year_2025):
    page = client_for(city.manager).get(reverse("stats:dashboard"), {"fiscal_year": 2025})
    tables = {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}
    assert [r.label for r in tables["contacts_by_department"].rows] == ["市民課"]
    assert sum(r.values[0] for r in tables["contacts_by_month"].rows) == 4
    other = client_for(city.manager).get(reverse("stats:dashboard"), {"department": city.zeimu.pk})
    assert other.status_code == 404


def test_a_renamed_department_keeps_one_row(city, client_for, year_2025):
    city.shimin.name = "市民生活課"
    city.shimin.save()
    page = client_for(city.specialist).get(reverse("stats:dashboard"), {"fiscal_year": 2025})
    tables = {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}
    assert {r.label: r.values[0] for r in tables["contacts_by_department"].rows}["市民生活課"] == 4


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "range", "date_from": "2025-05-01", "date_to": "2025-04-01"}, "期間の終わりが始まりより前"),
        ({"period": "range", "date_from": "2010-04-01", "date_to": "2025-04-01"}, "10年以内"),
        ({"department": "999999"}, "指定された所属はありません"),
        ({"department": "abc"}, "所属の指定が正しくありません"),
        ({"period": "month", "month": "2025-13"}, "2025-11"),
    ],
)
def test_bad_periods_read_a_message(city, client_for, query, message):
    page = client_for(city.specialist).get(reverse("stats:dashboard"), query)
    assert page.status_code == 400
    assert message in page.content.decode()


def test_figures_link_to_the_contacts_behind_them(city, client_for, year_2025):
    client = client_for(city.specialist)
    page = client.get(reverse("stats:dashboard"), {"fiscal_year": 2025})
    tables = {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}
    over = tables["contacts_over_limit"].rows[0]
    listed = client.get(over.link)
    assert listed.status_code == 200
    assert len(listed.context["page"].object_list) == 2
    hour = next(r for r in tables["contacts_by_hour"].rows if r.label == "23時台")
    assert len(client.get(hour.link).context["page"].object_list) == 2
