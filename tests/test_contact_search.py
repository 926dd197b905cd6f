"""The contact list's search box finds what staff type: the resident's name (with or
without a space, full-width or kana) and the contact number as written or read."""

import pytest

from records.selectors import contact_number_from

from .factories import make_contact, make_resident


@pytest.fixture
def tanaka(city):
    resident = make_resident(city.staff, name="田中 亮", kana="タナカ リョウ", phones=["0287-23-3001"])
    return make_contact(city.staff, resident=resident, summary="転入届について")


def _found(client, q):
    return {row.pk for row in client.get("/contacts/", {"q": q}).context["page"].object_list}


@pytest.mark.parametrize("q", ["田中 亮", "田中亮", "田中\u3000亮", "たなか りょう", "タナカリョウ", "ﾀﾅｶ", "田中"])
def test_the_residents_name_finds_their_contacts(city, client_for, tanaka, q):
    other = make_resident(city.staff, name="山田 花子", kana="やまだ はなこ", phones=["090-0000-0000"])
    make_contact(city.staff, resident=other, summary="別の住民")
    assert _found(client_for(city.staff), q) == {tanaka.pk}


def test_the_contact_number_finds_the_contact(city, client_for, tanaka):
    client = client_for(city.staff)
    for q in (str(tanaka.pk), tanaka.number, f"No.{tanaka.pk}", str(tanaka), "０" * 3 + str(tanaka.pk)):
        assert _found(client, q) == {tanaka.pk}, q
    assert tanaka.number.startswith("000")  # the displayed form, 7 digits


def test_a_number_in_another_department_stays_hidden(city, client_for):
    hidden = make_contact(city.zeimu_staff, summary="税務課の記録")
    assert _found(client_for(city.staff), hidden.number) == set()
    assert _found(client_for(city.zeimu_staff), hidden.number) == {hidden.pk}


def test_words_of_the_texts_are_still_found(city, client_for, tanaka):
    hit = make_contact(city.staff, words_and_behaviour="「税金泥棒」と叫んだ")
    client = client_for(city.staff)
    assert _found(client, "税金泥棒") == {hit.pk}
    assert _found(client, "転入届") == {tanaka.pk}
    assert _found(client, "田中 転入届") == {tanaka.pk}  # the name, or every word in the texts


def test_what_counts_as_a_contact_number():
    assert contact_number_from("3001") == 3001
    assert contact_number_from("0003001") == 3001
    assert contact_number_from("ｎｏ．３００１") == 3001
    assert contact_number_from("対応記録 No.0003001") == 3001
    assert contact_number_from("0") is None
    assert contact_number_from("田中") is None
    assert contact_number_from("3001 田中") is None
    assert contact_number_from("9" * 30) is None
