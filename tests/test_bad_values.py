"""One bad value must not break pages for everyone (issue 13, A3): the services
refuse dates outside the city's records and remove control characters (long
text keeps its line breaks and tabs), and values already stored — put there
directly with ``.objects.update()`` — never make a page, a print or an export fail."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.services import token_issue
from mamoru.lib.text import clean_text
from mamoru.lib.wareki import format_wareki
from measures import services as measure_services
from measures.terms import MeasureTerms
from people.models import Resident
from people.services import resident_create, resident_update
from records.models import Contact
from records.services import ContactData, contact_create, contact_update
from tests.factories import make_contact, make_resident

CONTROL = "件名\x00\x01\x0b\x1b[31m\x7f\x85"
# What a database holds of it (PostgreSQL refuses NUL in text; the rest it stores).
STORED_CONTROL = CONTROL.replace("\x00", "")
UTC = dt.UTC


@pytest.fixture
def resident(city):
    return make_resident(city.staff)


@pytest.fixture
def contact(city, resident):
    return make_contact(city.staff, resident=resident, summary="窓口での苦情", words_and_behaviour="大声")


@pytest.fixture
def measure(city, resident, contact):
    return measure_services.measure_draft(
        actor=city.specialist,
        resident=resident,
        kind="warning",
        terms=MeasureTerms(
            reasons="職員の人格を否定する言動が続いたため。",
            contacts=[contact],
            lead_department=city.shimin,
            starts_on=timezone.localdate(),
            requests="大声を出さないこと。",
        ),
    )


def _pages(city, contact, resident, measure):
    yield city.staff, reverse("records:contact_detail", args=[contact.pk])
    yield city.staff, reverse("records:contact_print", args=[contact.pk])
    yield city.staff, reverse("records:contact_history", args=[contact.pk])
    yield city.staff, reverse("records:contact_edit", args=[contact.pk])
    yield city.staff, reverse("records:home")
    yield city.staff, reverse("records:contact_list")
    yield city.staff, reverse("records:contact_list") + "?format=csv"
    yield city.staff, reverse("records:contact_list") + "?format=xlsx"
    yield city.staff, reverse("people:resident_detail", args=[resident.pk])
    yield city.staff, reverse("people:resident_list") + "?q=山田"
    yield city.specialist, reverse("measures:measure_detail", args=[measure.pk])
    yield city.specialist, reverse("measures:measure_edit", args=[measure.pk])
    yield city.specialist, reverse("measures:measure_letter_preview", args=[measure.pk])


def _load_all(client, city, contact, resident, measure):
    for user, url in _pages(city, contact, resident, measure):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith("format=xlsx"):
            load_workbook(io.BytesIO(response.content))


@pytest.mark.parametrize(
    "started_at",
    [
        dt.datetime(1850, 6, 1, 1, 0, tzinfo=UTC),  # before 明治: 和暦 has no name for it
        dt.datetime(1, 1, 1, 0, 0, tzinfo=UTC),  # year 1
        dt.datetime(9999, 12, 31, 23, 0, tzinfo=UTC),  # the last hour Python can hold
    ],
)
def test_a_stored_date_outside_the_calendar_breaks_no_page(client, city, contact, resident, measure, started_at):
    Contact.objects.filter(pk=contact.pk).update(started_at=started_at, ended_at=started_at)
    _load_all(client, city, contact, resident, measure)


def test_a_stored_control_character_breaks_no_page_and_no_export(client, city, contact, resident, measure):
    Contact.objects.filter(pk=contact.pk).update(
        summary=STORED_CONTROL, words_and_behaviour=f"「{STORED_CONTROL}」\n\t机を叩いた", place=STORED_CONTROL
    )
    Resident.objects.filter(pk=resident.pk).update(name="山田\x1b太郎", notes=STORED_CONTROL)
    _load_all(client, city, contact, resident, measure)


def test_the_xlsx_export_keeps_the_text_without_control_characters(client, city, contact):
    Contact.objects.filter(pk=contact.pk).update(summary=STORED_CONTROL)
    client.force_login(city.staff)
    response = client.get(reverse("records:contact_list") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows(min_row=3) for cell in row]  # below the 出力記録 line and header
    assert "件名[31m" in values


def test_wareki_shows_a_day_before_meiji_in_seireki():
    assert format_wareki(dt.date(1850, 6, 1)) == "1850年6月1日"
    assert format_wareki(dt.date(1, 1, 1)) == "1年1月1日"
    assert format_wareki(dt.date(1868, 10, 23)) == "明治元年10月23日"


# --- The services refuse or clean what would be stored ---------------------------------


def test_clean_text_keeps_line_breaks_and_tabs_in_long_text():
    assert clean_text("一行目\r\n\t二行目\x00\x1b\x7f\x85") == "一行目\n\t二行目"
    assert clean_text("一行\t目\n", multiline=False) == "一行 目 "


def _data(city, **values):
    started = timezone.now() - dt.timedelta(hours=1)
    defaults = dict(
        department=city.shimin,
        channel="counter",
        staff=city.staff,
        started_at=started,
        ended_at=started + dt.timedelta(minutes=10),
    )
    return ContactData(**{**defaults, **values})


def test_a_contact_is_saved_without_control_characters(city):
    contact = contact_create(
        actor=city.staff,
        data=_data(city, summary=CONTROL, words_and_behaviour="「帰れ」\r\n\t机を叩いた\x00", place="窓口\n3番"),
    )
    contact.refresh_from_db()
    assert contact.summary == "件名[31m"
    assert contact.words_and_behaviour == "「帰れ」\n\t机を叩いた"
    assert contact.place == "窓口 3番"
    assert "\x00" not in contact.search_text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("started_at", dt.datetime(1850, 6, 1, tzinfo=UTC), "1989年1月1日以降"),
        ("started_at", dt.datetime(1, 1, 1, tzinfo=UTC), "1989年1月1日以降"),
        ("started_at", dt.datetime(1, 1, 1, tzinfo=timezone.get_default_timezone()), "1989年1月1日以降"),
        ("ended_at", dt.datetime(9999, 12, 31, tzinfo=UTC), "終了日時が未来"),
    ],
)
def test_a_contact_date_outside_the_citys_records_is_refused(city, field, value, message):
    with pytest.raises(ValidationError) as error:
        contact_create(actor=city.staff, data=_data(city, **{field: value}))
    assert message in " ".join(error.value.message_dict[field])
    assert not Contact.objects.exists()


def test_an_edit_to_an_old_date_is_refused(city, contact):
    with pytest.raises(ValidationError):
        contact_update(
            actor=city.staff,
            contact=contact,
            data=_data(city, started_at=dt.datetime(1800, 1, 1, tzinfo=UTC), ended_at=None),
        )


def test_the_form_refuses_year_one_with_a_message(client_for, city):
    client = client_for(city.staff)
    response = client.post(
        reverse("records:contact_new"),
        {
            "department": city.shimin.pk,
            "staff": city.staff.pk,
            "channel": "counter",
            "started_at": "0001-01-01T00:00",
            "ended_at": "0001-01-01T00:10",
            "harassment": "undecided",
            "summary": "件名",
        },
    )
    assert response.status_code == 200
    assert "1989年1月1日以降" in response.content.decode()
    assert not Contact.objects.exists()


def test_the_api_refuses_an_old_date_and_strips_control_characters(client, city):
    _token, key = token_issue(actor=None, user=city.staff, name="テスト", scope="write")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = {
        "department_id": city.shimin.pk,
        "staff_username": "staff1",
        "channel": "counter",
        "started_at": "1850-01-01T10:00:00+09:00",
        "summary": "件名",
    }
    for started_at in ("1850-01-01T10:00:00+09:00", "0001-01-01T00:00:00+09:00", "0001-01-01T00:00:00"):
        body["started_at"] = started_at
        response = client.post("/api/contacts", json.dumps(body), content_type="application/json", **headers)
        assert response.status_code == 400, response.content
        assert "1989年1月1日以降" in json.dumps(response.json(), ensure_ascii=False)
    body["started_at"] = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    body["summary"] = CONTROL
    response = client.post("/api/contacts", json.dumps(body), content_type="application/json", **headers)
    assert response.status_code == 400  # NUL never passes the edge (RefuseNulMiddleware)
    body["summary"] = CONTROL.replace("\x00", "")
    response = client.post("/api/contacts", json.dumps(body), content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    assert Contact.objects.get().summary == "件名[31m"


def test_a_resident_is_saved_without_control_characters(city):
    resident = resident_create(
        actor=city.staff,
        name="山田\x00 太郎\x1b",
        name_kana="やまだ\tたろう",
        address="大田原市\n本町",
        notes="メモ\r\n\t二行目\x07",
    )
    resident.refresh_from_db()
    assert (resident.name, resident.name_kana, resident.address) == ("山田 太郎", "やまだ たろう", "大田原市 本町")
    assert resident.notes == "メモ\n\t二行目"
    resident_update(actor=city.staff, resident=resident, notes="更新\x0c")
    resident.refresh_from_db()
    assert resident.notes == "更新"


def test_a_measure_is_saved_without_control_characters_and_within_sane_dates(city, measure, contact):
    terms = MeasureTerms(
        reasons="理由\x00\x1b",
        contacts=[contact],
        lead_department=city.shimin,
        starts_on=timezone.localdate(),
        requests="一つ目\x07\r\n二つ目",
    )
    measure_services.measure_update(actor=city.specialist, measure=measure, terms=terms)
    measure.refresh_from_db()
    assert (measure.reasons, measure.letter_requests) == ("理由", "一つ目\n二つ目")
    for field, day in (("starts_on", dt.date(1, 1, 1)), ("ends_on", dt.date(9999, 12, 31))):
        with pytest.raises(ValidationError) as error:
            measure_services.measure_update(
                actor=city.specialist,
                measure=measure,
                terms=MeasureTerms(**{**terms.__dict__, "reasons": "理由", field: day}),
            )
        assert "1989年1月1日から" in error.value.message_dict[field][0]
