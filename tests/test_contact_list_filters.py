"""The contact list's filters (issue 13, A11): a date at the calendar's edge,
a search of too many words and an invalid value are answered with a message,
never a 500, and never a list or an export without the filters asked for."""

import datetime as dt
import io

import pytest
from django.conf import settings
from openpyxl import load_workbook

from tests.factories import make_contact


@pytest.fixture
def contacts(city):
    make_contact(city.staff, summary="電話での苦情", channel="phone")
    make_contact(city.staff, summary="窓口での苦情", channel="counter")
    make_contact(city.staff, summary="昨日の窓口", channel="counter", ago=dt.timedelta(days=1))


@pytest.mark.parametrize("date_to", ["9999-12-31", "0001-01-01"])
def test_a_date_at_the_calendars_edge_is_a_message(client_for, city, contacts, date_to):
    client = client_for(city.staff)
    client.raise_request_exception = False
    for fmt in ("", "&format=csv", "&format=xlsx"):
        response = client.get(f"/contacts/?date_to={date_to}{fmt}")
        assert response.status_code == 400, fmt
        text = response.content.decode()
        assert "期間は1900年から2999年までの日付で指定してください" in text


def test_a_search_of_too_many_words_is_a_message(client_for, city, contacts):
    client = client_for(city.staff)
    words = " ".join(f"語{i}" for i in range(settings.MAMORU_SEARCH_MAX_WORDS + 1))
    response = client.get("/contacts/", {"q": words})
    assert response.status_code == 400
    assert f"キーワードは{settings.MAMORU_SEARCH_MAX_WORDS}語までにしてください" in response.content.decode()
    response = client.get("/contacts/", {"q": "窓口 苦情"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def test_the_search_never_builds_more_conditions_than_sqlite_holds(city, contacts):
    from records.selectors import ContactFilter, contact_list

    query = " ".join(f"語{i}" for i in range(1200))
    assert list(contact_list(user=city.staff, filters=ContactFilter(query=query))) == []


def test_an_invalid_filter_never_exports_everything(client_for, city, contacts):
    client = client_for(city.staff)
    response = client.get("/contacts/?channel=phone&format=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3  # the 出力記録 line, the header and the one phone contact
    for bad in ("channel=phone&date_from=2025-13-45", "channel=fax", "channel=phone&department=99999"):
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/contacts/?{bad}&format={fmt}")
            assert response.status_code == 400, bad
            assert response["Content-Type"].startswith("text/html")
            assert "書き出しませんでした" in response.content.decode()
        response = client.get(f"/contacts/?{bad}")
        assert response.status_code == 400
        assert list(response.context["page"].object_list) == []
