"""Likely duplicates shown when a resident is registered, picked at intake or
looked at by the specialist section; every user may see and pick them, only
the specialist section gets the merge button."""

from html import unescape

import pytest

from people.matching import PersonFields, resident_candidates
from people.merging import resident_merge
from people.models import Resident
from people.selectors import resident_pick_list

from .factories import make_resident


@pytest.fixture
def takahashi(city):
    return make_resident(
        city.staff,
        name="髙橋 一郎",
        kana="たかはし いちろう",
        phones=["0287-23-8702"],
        address="大田原市本町1丁目4番12号",
    )


def _fragment(client, **params):
    return unescape(client.get("/residents/duplicates/", params).content.decode())


def test_create_form_fragment_lists_duplicates_with_reasons_and_score(city, client_for, takahashi):
    make_resident(city.staff, name="鈴木 次郎", kana="すずき じろう", phones=["090-9999-0000"])
    typed = dict(name="高橋　一郎", name_kana="タカハシ イチロウ", phones="０２８７２３８７０２", address="")
    body = _fragment(client_for(city.zeimu_staff), **typed)
    expected = resident_candidates(
        PersonFields(name="高橋　一郎", kana="タカハシ イチロウ", phone="０２８７２３８７０２")
    )
    assert [candidate.resident for candidate in expected] == [takahashi]
    assert "髙橋 一郎" in body and "鈴木 次郎" not in body
    for reason in expected[0].decision.reasons:
        assert reason in body
    assert "異体字" in body and "電話番号が一致" in body
    assert f"{expected[0].decision.score:.2f}" in body
    assert f'href="/residents/{takahashi.pk}/"' in body and "この住民等を使う" in body


def test_phone_alone_in_another_format_finds_the_resident(city, client_for, takahashi):
    body = _fragment(client_for(city.staff), name="高橋 一郎", phones="+81 287 23 8702")
    assert "髙橋 一郎" in body and "電話番号が一致" in body


def test_nothing_typed_or_nothing_similar_shows_nothing(city, client_for, takahashi):
    client = client_for(city.staff)
    assert "重複" not in _fragment(client)
    assert "重複" not in _fragment(client, name="山本 花子", name_kana="やまもと はなこ", phones="03-1234-5678")


def test_from_the_contact_form_the_link_returns_to_the_contact(city, client_for, takahashi):
    body = _fragment(client_for(city.staff), name="高橋一郎", phones="0287238702", next="/contacts/new/")
    assert f'href="/contacts/new/?resident={takahashi.pk}"' in body
    # Anywhere else is not followed.
    body = _fragment(client_for(city.staff), name="高橋一郎", phones="0287238702", next="https://example.com/")
    assert "example.com" not in body and f'href="/residents/{takahashi.pk}/"' in body


def test_creating_anyway_is_allowed(city, client_for, takahashi):
    client = client_for(city.staff)
    page = client.get("/residents/new/").content.decode()
    assert 'hx-get="/residents/duplicates/"' in page and "resident-duplicates" in page
    response = client.post("/residents/new/", {"name": "高橋　一郎", "phones": "0287-23-8702"})
    assert response.status_code == 302 and Resident.objects.count() == 2


def test_the_edit_form_does_not_suggest_the_resident_itself(city, client_for, takahashi):
    client = client_for(city.staff)
    page = client.get(f"/residents/{takahashi.pk}/edit/").content.decode()
    assert f"/residents/duplicates/?exclude={takahashi.pk}" in page
    body = _fragment(client, name="髙橋 一郎", phones="0287-23-8702", exclude=takahashi.pk)
    assert "髙橋 一郎" not in body


def test_merged_away_residents_are_not_suggested(city, client_for, takahashi):
    twin = make_resident(city.zeimu_staff, name="高橋 一郎", kana="たかはし いちろう", phones=["0287238702"])
    resident_merge(actor=city.specialist, source=twin, target=takahashi, reason="同一人物")
    body = _fragment(client_for(city.staff), name="高橋 一郎", phones="0287-23-8702")
    assert f"/residents/{takahashi.pk}/" in body and f"/residents/{twin.pk}/" not in body


def test_pick_results_show_possible_duplicates(city, client_for, takahashi):
    twin = make_resident(city.zeimu_staff, name="高橋　一郎", kana="タカハシ イチロウ", phones=["０２８７２３８７０２"])
    make_resident(city.staff, name="高橋 花子", kana="たかはし はなこ", phones=["090-5555-6666"])
    body = unescape(client_for(city.staff).get("/residents/pick/", {"q": "たかはし"}).content.decode())
    assert body.count("重複の可能性:") == 2
    assert f'data-pick-resident="{twin.pk}" data-pick-name="高橋　一郎">高橋　一郎</button>（' in body
    assert f'data-pick-resident="{takahashi.pk}" data-pick-name="髙橋 一郎">髙橋 一郎</button>（' in body
    assert "異体字" in body and "電話番号が一致" in body
    # 花子 shares the surname only: no line for her, and she is nobody's duplicate.
    hanako_line = body.split("高橋 花子")[1].split("</li>")[0]
    assert "重複の可能性" not in hanako_line


@pytest.mark.parametrize("people", [2, 10])
def test_pick_results_take_a_bounded_number_of_queries(city, client_for, django_assert_max_num_queries, people):
    for number in range(people):
        for spelling in ("髙橋", "高橋"):
            make_resident(
                city.staff,
                name=f"{spelling} 一郎{number}",
                kana=f"たかはし いちろう{number}",
                phones=[f"0287-23-{8700 + number}"],
            )
    # The results, their phones, the pool of possible duplicates and its phones.
    with django_assert_max_num_queries(4):
        results = resident_pick_list(user=city.staff, query="たかはし", limit=20)
        for resident, duplicates in results:
            [phone.number for phone in resident.phones.all()]
            [phone.number for candidate in duplicates for phone in candidate.resident.phones.all()]
    assert len(results) == 2 * people
    assert all(len(duplicates) == 1 for _resident, duplicates in results)
    body = client_for(city.staff).get("/residents/pick/", {"q": "たかはし"}).content.decode()
    assert body.count("重複の可能性:") == min(2 * people, 10)


def test_staff_see_suggestions_but_only_the_specialist_may_merge(city, client_for, takahashi):
    twin = make_resident(city.zeimu_staff, name="高橋 一郎", kana="たかはし いちろう", phones=["0287238702"])
    staff_page = client_for(city.staff).get(f"/residents/{takahashi.pk}/").content.decode()
    assert "/similar/" not in staff_page and "/merge/" not in staff_page
    assert client_for(city.staff).get(f"/residents/{takahashi.pk}/similar/").status_code == 404
    assert "髙橋 一郎" in _fragment(client_for(city.zeimu_staff), name="高橋 一郎", phones="0287238702")
    assert client_for(city.staff).get(f"/residents/{takahashi.pk}/merge/{twin.pk}/").status_code in (403, 404)

    specialist = client_for(city.specialist)
    page = specialist.get(f"/residents/{takahashi.pk}/").content.decode()
    assert f'hx-get="/residents/{takahashi.pk}/similar/"' in page  # the panel loads after the page
    page = unescape(specialist.get(f"/residents/{takahashi.pk}/similar/").content.decode())
    assert "同一人物の可能性がある住民等" in page
    assert f'href="/residents/{takahashi.pk}/merge/{twin.pk}/"' in page and "異体字" in page


def test_administrator_gets_no_suggestions(city, client_for, takahashi):
    assert client_for(city.admin).get("/residents/duplicates/", {"name": "高橋 一郎"}).status_code == 403
