"""繰り返しの集計 (issue 16): flags proposed per rule of the pack and how they were
decided, residents counted (never named), the department a flag counts in (its
contacts'), and the specialist section's list the figures link to."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from records.services import ContactData, contact_create
from repetition.models import RepetitionFlag
from repetition.services import repetition_evaluate, repetition_flag_decide

from .factories import make_resident

TOKYO = ZoneInfo("Asia/Tokyo")


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def flagged(city, staff, name, detected, *, long=False, decide=None):
    """A resident whose contacts make one rule fire (three calls on a day: 1日の度重なる電話;
    one contact of 130 minutes: 1週間の長時間の対応), evaluated and decided through the
    services, the flag then dated ``detected``."""
    resident = make_resident(staff, name=name, kana="てすと", phones=())
    day = at(2025, 6, 10, 9)
    for i in range(1 if long else 3):
        start = day + dt.timedelta(hours=i)
        contact_create(
            actor=staff,
            data=ContactData(
                department=staff.department,
                channel="counter" if long else "phone",
                staff=staff,
                started_at=start,
                ended_at=start + dt.timedelta(minutes=130 if long else 1),
                resident=resident,
            ),
        )
    repetition_evaluate(resident=resident, now=day + dt.timedelta(hours=8))
    flag = RepetitionFlag.objects.get(resident=resident)
    if decide:
        repetition_flag_decide(actor=city.specialist, flag=flag, decision=decide, reason="対応記録を確認した")
    RepetitionFlag.objects.filter(pk=flag.pk).update(detected_at=detected)
    return flag


@pytest.fixture
def flags(city):
    flagged(city, city.staff, "甲", at(2025, 6, 10, 18), decide="confirmed")
    flagged(city, city.staff, "乙", at(2025, 9, 1), decide="dismissed")
    flagged(city, city.zeimu_staff, "丙", at(2025, 10, 1))
    flagged(city, city.staff, "丁", at(2026, 3, 31, 23), long=True)
    flagged(city, city.staff, "戊", at(2025, 3, 31, 23, 59), decide="confirmed")  # the fiscal year before


def tables_for(client, **query):
    page = client.get(reverse("stats:dashboard"), query)
    assert page.status_code == 200
    return {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}


def test_flags_by_rule_and_decision(city, client_for, flags):
    page = client_for(city.specialist).get(reverse("stats:dashboard"), {"fiscal_year": 2025})
    tables = {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}
    by_rule = {r.label: r.values for r in tables["repetition_flags_by_rule"].rows}
    assert by_rule["1日の度重なる電話"] == [3, 1, 1, 1]
    assert by_rule["1週間の長時間の対応"] == [1, 1, 0, 0]
    assert by_rule["短期間の多数回の意見等"] == [0, 0, 0, 0]
    assert tables["repetition_residents"].rows[0].values == [4, 1]
    html = page.content.decode()
    assert "甲" not in html and "丙" not in html  # no resident is named


def test_a_manager_counts_flags_resting_on_their_departments_contacts(city, client_for, flags):
    tables = tables_for(client_for(city.manager), fiscal_year=2025)
    by_rule = {r.label: r for r in tables["repetition_flags_by_rule"].rows}
    assert by_rule["1日の度重なる電話"].values == [2, 0, 1, 1]
    assert tables["repetition_residents"].rows[0].values == [3, 1]
    assert by_rule["1日の度重なる電話"].link == ""  # the list is the specialist section's


def test_figures_link_to_the_flags_behind_them(city, client_for, flags):
    client = client_for(city.specialist)
    tables = tables_for(client, fiscal_year=2025)
    calls = next(r for r in tables["repetition_flags_by_rule"].rows if r.label == "1日の度重なる電話")
    assert len(client.get(calls.link).context["page"].object_list) == 3
    confirmed = tables["repetition_residents"].rows[0]
    assert len(client.get(confirmed.link).context["page"].object_list) == 1
