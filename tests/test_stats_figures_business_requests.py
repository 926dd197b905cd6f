"""他事業者からの申入れの集計 (issue 16): requests by step and by outcome with the
measures decided, days to the answer, the departments a request counts for (its
staff's), and the section kept to the specialist section."""

import datetime as dt

import pytest
from django.urls import reverse

from business_requests import services

D = dt.date


def request(city, received, staff, *, outcome=None, measures=False, replied=None, close=False, assign=False):
    """A request taken along its steps through the services."""
    made = services.business_request_receive(
        actor=city.specialist,
        business_name="那須運送株式会社",
        contact_person="総務部 佐藤",
        contact_details="0287-11-2222",
        description="配達時に窓口で職員から大声で叱責された。",
        asked_for="事実確認と再発防止",
        received_on=received,
        staff=staff,
        staff_description="" if staff else "眼鏡の男性職員",
    )
    if assign or outcome:
        made = services.business_request_assign(
            actor=city.specialist, request=made, handler=city.specialist, managers=[city.manager]
        )
    if outcome == "fact_found":
        for member in staff:
            services.business_request_hearing_record(
                actor=city.specialist, request=made, staff=member, held_on=received, account="強い口調になった。"
            )
    if outcome:
        made = services.business_request_decide_outcome(
            actor=city.specialist, request=made, outcome=outcome, reasons="調査の結果"
        )
    if measures:
        made = services.business_request_decide_measures(
            actor=city.manager, request=made, guidance=True, training=True, note="指導と接遇研修"
        )
    if replied:
        made = services.business_request_reply_record(
            actor=city.specialist, request=made, sent_on=replied, summary="調査の結果をお知らせします。"
        )
    if close:
        made = services.business_request_close(actor=city.specialist, request=made)
    return made


@pytest.fixture
def requests(city):
    request(city, D(2025, 4, 1), [city.staff], outcome="no_fact", replied=D(2025, 4, 11))  # 10 days
    request(city, D(2025, 6, 1), [city.staff], outcome="fact_found", measures=True, replied=D(2025, 7, 1), close=True)
    request(city, D(2025, 9, 1), [city.zeimu_staff], outcome="undetermined")
    request(city, D(2026, 3, 31), [], assign=True)  # names nobody
    request(city, D(2025, 3, 31), [city.staff], outcome="no_fact", replied=D(2025, 4, 2))  # the year before


def tables_for(client, **query):
    page = client.get(reverse("stats:dashboard"), query)
    assert page.status_code == 200
    return {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}


def test_requests_by_step_outcome_and_days_to_reply(city, client_for, requests):
    tables = tables_for(client_for(city.specialist), fiscal_year=2025)
    steps = {r.label: r.values[0] for r in tables["business_requests_by_step"].rows}
    assert steps == {"受付": 0, "調査中": 1, "事実認定済み": 1, "措置決定済み": 0, "回答済み": 1, "終結": 1}
    outcomes = {r.label: r.values for r in tables["business_requests_by_outcome"].rows}
    assert outcomes == {
        "事実あり": [1, 1, 1],
        "事実なし": [1, 0, 0],
        "判断できず": [1, 0, 0],
        "調査中（未判断）": [1, 0, 0],
    }
    # 10 and 30 days: rank 1 → 10; rank ⌈0.95×2⌉ = 2 → 30.
    assert tables["business_requests_days_to_reply"].rows[0].values == [2, 10, 30]


def test_one_department_counts_the_requests_naming_its_staff(city, client_for, requests):
    tables = tables_for(client_for(city.specialist), fiscal_year=2025, department=city.shimin.pk)
    steps = {r.label: r.values[0] for r in tables["business_requests_by_step"].rows}
    assert steps["回答済み"] == 1 and steps["終結"] == 1 and steps["調査中"] == 0 and steps["事実認定済み"] == 0


def test_a_manager_does_not_see_the_section(city, client_for, requests):
    tables = tables_for(client_for(city.manager), fiscal_year=2025)
    assert not any(key.startswith("business_requests") for key in tables)
    assert "contacts_by_month" in tables
