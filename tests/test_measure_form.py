"""The measure's draft form (issue 12, defect 2.8): the contacts with their
judgement and categories and dates in the user's style (和暦/西暦), and 指定職員
as checkboxes grouped by department, the resident's departments first
(with a filter box for JavaScript; usable without it)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_create
from mamoru.lib.wareki import format_seireki, format_wareki
from measures.models import Measure
from tests.conftest import PASSWORD
from tests.factories import make_contact, make_resident


@pytest.fixture
def resident(city):
    return make_resident(city.staff)


@pytest.fixture
def contacts(city, resident):
    judged = make_contact(
        city.zeimu_staff,
        resident=resident,
        summary="固定資産税の相談",
        harassment="yes",
        manner_inappropriate="yes",
        manner_reason="大声で威圧した",
        harms=["dignity"],
        harm_reason="職員の人格を否定する発言",
        categories=["verbal_abuse"],
        ago=dt.timedelta(days=2),
    )
    plain = make_contact(city.staff, resident=resident, summary="住民票の請求", ago=dt.timedelta(days=1))
    return judged, plain


def test_contacts_show_judgement_categories_and_dates_in_the_users_style(city, resident, contacts, client_for):
    judged, plain = contacts
    html = client_for(city.specialist).get(reverse("measures:measure_new", args=[resident.pk])).content.decode()
    row = html[html.index(f'value="{judged.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "該当する" in row and "暴言" in row
    assert format_wareki(timezone.localtime(judged.started_at).date()) in row
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", html)  # no ISO dates
    assert "未判断" in html[html.index(f'value="{plain.pk}"') :]
    city.specialist.date_style = "seireki"
    city.specialist.save(update_fields=["date_style"])
    html = client_for(city.specialist).get(reverse("measures:measure_new", args=[resident.pk])).content.decode()
    assert format_seireki(timezone.localtime(judged.started_at).date()) in html


def test_designated_staff_are_grouped_checkboxes_the_residents_departments_first(city, resident, contacts, client_for):
    for index in range(30):
        user_create(
            actor=None,
            username=f"fukushi{index}",
            password=PASSWORD,
            role="staff",
            department=city.somu,
            full_name=f"総務 職員{index}",
        )
    html = client_for(city.specialist).get(reverse("measures:measure_new", args=[resident.pk])).content.decode()
    assert '<select name="designated_staff"' not in html
    assert html.count('type="checkbox" name="designated_staff"') == 35  # everyone but the administrator
    groups = re.findall(r'<fieldset class="staff-group( related)?" data-filter-group>\s*<legend>([^<]+)', html)
    names = [name.strip() for _related, name in groups]
    assert set(names[:2]) == {"市民課", "税務課"} and names[2] == "総務課"
    assert [bool(related) for related, _name in groups] == [True, True, False]
    assert 'id="designated-staff-filter"' in html


def test_checked_designated_staff_are_saved(city, resident, contacts, client_for):
    response = client_for(city.specialist).post(
        reverse("measures:measure_new", args=[resident.pk]),
        {
            "kind": "restriction",
            "contacts": [c.pk for c in contacts],
            "reasons": "長時間の威圧",
            "lead_department": city.shimin.pk,
            "starts_on": timezone.localdate().isoformat(),
            "reminder_days_before_review": 14,
            "designated_staff": [city.supervisor.pk, city.manager.pk],
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert set(measure.designated_staff.all()) == {city.supervisor, city.manager}
    edit = client_for(city.specialist).get(reverse("measures:measure_edit", args=[measure.pk])).content.decode()
    assert re.search(rf'value="{city.supervisor.pk}"[^>]*checked', edit)
