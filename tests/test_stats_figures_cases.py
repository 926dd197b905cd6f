"""事案の集計 (issue 16): cases by the pack's states and by department, open cases by
age at the end of the period, and the case list the figures link to."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cases.models import Case
from cases.services import case_change_state

from .factories import make_contact, make_resident

TOKYO = ZoneInfo("Asia/Tokyo")
CLOSE = ("supervisor_review", "organised_response", "measures_review", "closed")


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def case(staff, actor, name, opened, *, states=(), closed=None):
    """A case opened by a contact judged harassment (through the services), moved
    along ``states``, then dated ``opened`` (and ``closed``)."""
    resident = make_resident(staff, name=name, kana="てすと", phones=())
    contact = make_contact(staff, resident=resident, harassment="yes", categories=["verbal_abuse"])
    made = Case.objects.get(contacts=contact)
    for state in states:
        made = case_change_state(actor=actor, case=made, state=state, reason="経過のまとめ")
    Case.objects.filter(pk=made.pk).update(opened_at=opened, closed_at=closed)
    return made


@pytest.fixture
def cases(city):
    s, boss = city.staff, city.supervisor
    case(s, boss, "甲", at(2026, 3, 30))  # 1 day old on 2026-03-31
    case(s, boss, "乙", at(2026, 3, 25), states=CLOSE[:1])  # 6 days
    case(s, boss, "丙", at(2026, 3, 24))  # 7 days
    case(s, boss, "丁", at(2025, 12, 31))  # 90 days
    case(s, boss, "戊", at(2025, 12, 30))  # 91 days
    case(s, boss, "己", at(2025, 6, 1), states=CLOSE, closed=at(2026, 4, 10))  # closed after the year: open then
    case(city.zeimu_staff, city.specialist, "庚", at(2025, 5, 1))
    case(s, boss, "辛", at(2025, 3, 31, 23, 59))  # reported the year before, still open
    case(s, boss, "壬", at(2025, 4, 2), states=CLOSE, closed=at(2025, 5, 1))


def tables_for(client, **query):
    page = client.get(reverse("stats:dashboard"), query)
    assert page.status_code == 200
    return {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}


def test_cases_by_state_and_department(city, client_for, cases):
    tables = tables_for(client_for(city.specialist), fiscal_year=2025)
    states = {r.label: r.values[0] for r in tables["cases_by_state"].rows}
    assert states == {"報告": 5, "上司確認": 1, "組織対応中": 0, "措置検討": 0, "終結": 2}
    departments = {r.label: r.values for r in tables["cases_by_department"].rows}
    assert tables["cases_by_department"].columns == ["報告", "上司確認", "組織対応中", "措置検討", "終結"]
    assert departments == {"市民課": [4, 1, 0, 0, 2], "税務課": [1, 0, 0, 0, 0], "総務課": [0, 0, 0, 0, 0]}


def test_open_cases_by_age_at_the_end_of_the_year(city, client_for, cases):
    table = tables_for(client_for(city.specialist), fiscal_year=2025)["cases_open_by_age"]
    assert table.columns == ["7日未満", "7〜30日", "31〜90日", "90日超"]
    ages = {r.label: r.values for r in table.rows}
    assert ages["市民課"] == [2, 1, 1, 3]
    assert ages["税務課"] == [0, 0, 0, 1]
    assert "令和8年3月31日" in table.title and "期間の末日" in table.note


def test_a_manager_counts_their_department_only(city, client_for, cases):
    tables = tables_for(client_for(city.manager), fiscal_year=2025)
    assert {r.label: r.values[0] for r in tables["cases_by_state"].rows}["報告"] == 4
    assert [r.label for r in tables["cases_open_by_age"].rows] == ["市民課"]
    assert tables["cases_open_by_age"].rows[0].values == [2, 1, 1, 3]


def test_figures_link_to_the_cases_behind_them(city, client_for, cases):
    client = client_for(city.specialist)
    tables = tables_for(client, fiscal_year=2025)
    reported = next(r for r in tables["cases_by_state"].rows if r.label == "報告")
    assert len(client.get(reported.link).context["page"].object_list) == 5
    shimin = next(r for r in tables["cases_open_by_age"].rows if r.label == "市民課")
    assert len(client.get(shimin.link).context["page"].object_list) == 7
    manager = client_for(city.manager)
    assert len(manager.get(reported.link).context["page"].object_list) == 4  # the list narrows to the reader


def test_the_case_list_explains_a_wrong_filter(city, client_for, cases):
    page = client_for(city.specialist).get(reverse("cases:case_list"), {"state": "all", "opened_from": "2025-13-01"})
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 9
    assert "日付" in page.content.decode()
    unknown = client_for(city.specialist).get(reverse("cases:case_list"), {"state": "all", "case_state": "zzz"})
    assert "状態「zzz」はポリシーパックにありません" in unknown.content.decode()


def test_a_state_the_pack_no_longer_has_keeps_its_row(city, client_for, cases):
    Case.objects.filter(state="supervisor_review").update(state="old_review")
    tables = tables_for(client_for(city.specialist), fiscal_year=2025)
    assert {r.label: r.values[0] for r in tables["cases_by_state"].rows}["old_review"] == 1
    assert tables["cases_by_department"].columns[-1] == "old_review"
