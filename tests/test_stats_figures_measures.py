"""措置の集計 (issue 16): measures issued by rung (withdrawn, appealed) and measures
drafted by rung and state, counted by hand from the fixture; the measure list the
figures link to."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.models import Measure

from .factories import make_contact, make_resident

TOKYO = ZoneInfo("Asia/Tokyo")


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def measure(city, kind, drafted, *, department=None, issued=None, submit=False, withdraw=False, appeals=0):
    """A measure drafted (and submitted, approved, issued …) through the services,
    then dated ``drafted`` and ``issued``."""
    department = department or city.shimin
    staff = city.staff if department == city.shimin else city.zeimu_staff
    resident = make_resident(staff, name=f"住民 {Measure.objects.count()}", kana="じゅうみん", phones=())
    contact = make_contact(staff, resident=resident, summary="窓口で大声")
    made = services.measure_draft(
        actor=city.specialist,
        resident=resident,
        kind=kind,
        terms=services.MeasureTerms(
            reasons="度重なる大声での威圧",
            contacts=[contact],
            lead_department=department,
            starts_on=timezone.localdate(),
            requests="窓口で大声を出さないこと。",
        ),
    )
    if submit or issued:
        services.measure_submit(actor=city.specialist, measure=made)
    if issued:
        services.measure_approve(actor=city.manager, measure=made)
        made = services.measure_issue(actor=city.specialist, measure=made)
    for _ in range(appeals):
        services.measure_appeal_record(
            actor=city.specialist, measure=made, received_on=timezone.localdate(), content="不当である"
        )
    if withdraw:
        services.measure_withdraw(actor=city.specialist, measure=made, reason="事実誤認が判明したため")
    Measure.objects.filter(pk=made.pk).update(drafted_at=drafted, issued_at=issued)
    return made


@pytest.fixture
def measures(city):
    measure(city, "caution", at(2025, 4, 20), issued=at(2025, 5, 1))
    measure(city, "caution", at(2025, 7, 25), issued=at(2025, 8, 1), withdraw=True)
    measure(city, "warning", at(2025, 9, 1), issued=at(2025, 10, 1), appeals=2)
    measure(city, "warning", at(2026, 3, 31, 23, 30), submit=True)
    measure(city, "caution", at(2025, 6, 1), department=city.zeimu)
    measure(city, "caution", at(2025, 3, 1), issued=at(2025, 3, 31, 23, 59))  # the fiscal year before
    measure(city, "warning", at(2025, 3, 20), issued=at(2025, 4, 2))  # drafted before, issued within


def tables_for(client, **query):
    page = client.get(reverse("stats:dashboard"), query)
    assert page.status_code == 200
    return {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}


def test_measures_issued_by_rung(city, client_for, measures):
    table = tables_for(client_for(city.specialist), fiscal_year=2025)["measures_issued"]
    issued = {r.label: r.values for r in table.rows}
    assert [r.label for r in table.rows][:3] == ["注意", "警告", "対応制限"]
    assert issued["注意"] == [2, 1, 0]
    assert issued["警告"] == [2, 0, 1]  # appealed twice: one measure
    assert issued["対応制限"] == [0, 0, 0]
    assert table.public


def test_measures_drafted_by_rung_and_state(city, client_for, measures):
    table = tables_for(client_for(city.specialist), fiscal_year=2025)["measures_by_kind_and_status"]
    assert table.columns == ["起案中", "決裁中", "決裁済", "発出済", "差戻し", "撤回", "期間満了"]
    drafted = {r.label: r.values for r in table.rows}
    assert drafted["注意"] == [1, 0, 0, 1, 0, 1, 0]
    assert drafted["警告"] == [0, 1, 0, 1, 0, 0, 0]
    assert not table.public


def test_a_manager_counts_the_measures_their_department_leads(city, client_for, measures):
    tables = tables_for(client_for(city.manager), fiscal_year=2025)
    assert {r.label: r.values for r in tables["measures_by_kind_and_status"].rows}["注意"] == [0, 0, 0, 1, 0, 1, 0]
    assert {r.label: r.values for r in tables["measures_issued"].rows}["注意"] == [2, 1, 0]


def test_figures_link_to_the_measures_behind_them(city, client_for, measures):
    client = client_for(city.specialist)
    tables = tables_for(client, fiscal_year=2025)
    caution = next(r for r in tables["measures_issued"].rows if r.label == "注意")
    assert len(client.get(caution.link).context["page"].object_list) == 2
    drafted = next(r for r in tables["measures_by_kind_and_status"].rows if r.label == "注意")
    assert len(client.get(drafted.link).context["page"].object_list) == 3
    assert len(client_for(city.manager).get(drafted.link).context["page"].object_list) == 2
    wrong = client.get(reverse("measures:measure_list"), {"kind": "nothing"})
    assert "措置の種類「nothing」はポリシーパックにありません" in wrong.content.decode()
