"""和暦 dates, Japanese normalisation, and the user's date preference."""

import datetime as dt

import pytest

from mamoru.lib.japanese import normalize, phone_digits, to_hiragana
from mamoru.lib.wareki import fiscal_year, format_seireki, format_wareki


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2025, 12, 19), "令和7年12月19日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.datetime(2026, 1, 5, 9, 30), "令和8年1月5日"),
    ],
)
def test_wareki(day, text):
    assert format_wareki(day) == text


def test_seireki_and_fiscal_year():
    assert format_seireki(dt.date(2025, 12, 19)) == "2025年12月19日"
    assert fiscal_year(dt.date(2026, 3, 31)) == 2025
    assert fiscal_year(dt.date(2026, 4, 1)) == 2026


def test_normalisation():
    assert normalize("ＳＮＳ　に 投稿") == "sns に 投稿"
    assert to_hiragana("ﾀｶﾊｼ イチロウ") == "たかはしいちろう"
    assert phone_digits("０２８７－２３－８７０２") == "0287238702"
    assert phone_digits("+81 287 23 8702") == "0287238702"


def test_user_chooses_wareki_or_seireki(city, client_for):
    from .factories import make_contact

    contact = make_contact(city.staff)
    client = client_for(city.staff)
    assert "令和" in client.get(f"/contacts/{contact.pk}/").content.decode()
    response = client.post("/accounts/preferences/", {"date_style": "seireki"})
    assert response.status_code == 302
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "令和" not in page and f"{contact.started_at.year}年" in page
