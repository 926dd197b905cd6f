"""Who sees what: own department for staff, supervisors and managers; every
department for the specialist section; no records for the administrator.
Enforced on pages, lists, search and the resident's history, not just menus."""

import pytest

from records.models import Contact

from .factories import make_contact, make_resident


@pytest.fixture
def records(city):
    resident = make_resident(city.staff, name="佐藤 花子", kana="さとう はなこ")
    shimin = make_contact(city.staff, resident=resident, words_and_behaviour="「税金泥棒」と繰り返した")
    zeimu = make_contact(city.zeimu_staff, resident=resident, words_and_behaviour="「土下座しろ」と要求")
    return resident, shimin, zeimu


@pytest.mark.parametrize(
    ("who", "sees_shimin", "sees_zeimu"),
    [
        ("staff", True, False),
        ("supervisor", True, False),
        ("manager", True, False),
        ("zeimu_staff", False, True),
        ("specialist", True, True),
        ("admin", False, False),
    ],
)
def test_contact_pages_follow_department_scope(city, client_for, records, who, sees_shimin, sees_zeimu):
    _, shimin, zeimu = records
    client = client_for(getattr(city, who))
    for contact, visible in ((shimin, sees_shimin), (zeimu, sees_zeimu)):
        for suffix in ("", "edit/", "print/", "history/", "clock/"):
            response = client.get(f"/contacts/{contact.pk}/{suffix}")
            assert response.status_code == (200 if visible else 404), (who, suffix)
        if not visible:
            assert contact.words_and_behaviour not in client.get(f"/contacts/{contact.pk}/").content.decode()
            assert client.post(f"/contacts/{contact.pk}/end/").status_code == 404


@pytest.mark.parametrize("who", ["staff", "zeimu_staff", "specialist"])
def test_lists_and_search_show_only_visible_departments(city, client_for, records, who):
    _, shimin, zeimu = records
    user = getattr(city, who)
    client = client_for(user)
    listed = {c.pk for c in client.get("/contacts/").context["page"].object_list}
    expected = {c.pk for c in (shimin, zeimu) if user.is_specialist or c.department_id == user.department_id}
    assert listed == expected
    found = {c.pk for c in client.get("/contacts/", {"q": "土下座"}).context["page"].object_list}
    assert found == ({zeimu.pk} if zeimu.pk in expected else set())


def test_resident_history_shows_only_visible_departments(city, client_for, records):
    resident, shimin, zeimu = records
    page = client_for(city.staff).get(f"/residents/{resident.pk}/")
    assert [c.pk for c in page.context["page"].object_list] == [shimin.pk]
    assert "土下座しろ" not in page.content.decode()
    page = client_for(city.specialist).get(f"/residents/{resident.pk}/")
    assert {c.pk for c in page.context["page"].object_list} == {shimin.pk, zeimu.pk}


def test_administrator_handles_no_records(city, client_for, records):
    client = client_for(city.admin)
    assert client.get("/").status_code == 302
    assert client.get("/contacts/").status_code == 403
    assert client.get("/residents/").status_code == 403
    assert client.post("/contacts/start/", {"channel": "counter"}).status_code == 403
    assert Contact.objects.count() == 2


def test_staff_cannot_name_staff_of_another_department(city, client_for):
    from .test_contacts import _form

    response = client_for(city.staff).post("/contacts/new/", _form(city, staff=city.zeimu_staff.pk))
    assert response.context["form"].errors["staff"]
    assert Contact.objects.count() == 0


def test_filters_narrow_the_list(city, client_for):
    import datetime as dt

    a = make_contact(city.staff, channel="phone", harassment="yes", categories=["verbal_abuse"])
    b = make_contact(city.staff, channel="counter", ago=dt.timedelta(days=40))
    make_contact(city.supervisor, channel="mail")
    client = client_for(city.staff)

    def listed(**params):
        return {c.pk for c in client.get("/contacts/", params).context["page"].object_list}

    assert listed(channel="phone") == {a.pk}
    assert listed(category="verbal_abuse") == {a.pk}
    assert listed(harassment="yes") == {a.pk}
    assert b.pk not in listed(date_from=(dt.date.today() - dt.timedelta(days=7)).isoformat())
    assert listed(staff=city.staff.pk) == {a.pk, b.pk}
    response = client.get("/contacts/", {"date_from": "2025-12-20", "date_to": "2025-12-01"})
    assert "期間の終わりが始まりより前" in response.content.decode()


def test_japanese_substring_search_without_spaces(city, client_for):
    hit = make_contact(city.staff, words_and_behaviour="住民は「この税金泥棒が！」と叫び、カウンターを叩いた。")
    full_width = make_contact(city.staff, summary="ＳＮＳへの投稿について")
    make_contact(city.staff, words_and_behaviour="手続の説明を受けて納得された。")
    client = client_for(city.staff)

    def found(q):
        return {c.pk for c in client.get("/contacts/", {"q": q}).context["page"].object_list}

    assert found("税金泥棒") == {hit.pk}
    assert found("泥棒") == {hit.pk}
    assert found("税金泥棒 カウンター") == {hit.pk}
    assert found("sns") == {full_width.pk}
    assert found("土下座") == set()


def test_list_is_paginated_and_exports_csv(city, client_for, settings):
    settings.MAMORU_PAGE_SIZE = 2
    for _ in range(3):
        make_contact(city.staff, summary="窓口での苦情")
    client = client_for(city.staff)
    page = client.get("/contacts/")
    assert page.context["page"].paginator.num_pages == 2
    assert len(client.get("/contacts/", {"page": 2}).context["page"].object_list) == 1
    csv = client.get("/contacts/", {"format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("【出力記録】 対応記録 出力者: 市民 一郎（staff1）")
    assert text.splitlines()[1].startswith("番号,開始日時")
    assert text.count("窓口での苦情") == 3
    xlsx = client.get("/contacts/", {"format": "xlsx", "q": "苦情"})
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("【出力記録】")
    assert rows[1][:2] == ("番号", "開始日時") and len(rows) == 5 and rows[2][8] == "窓口での苦情"


def test_table_rows_escape_text_and_show_each_cell(city, client_for):
    from records.services import contact_start

    done = make_contact(
        city.staff,
        summary="<script>alert(1)</script>と書かれた投書",
        harassment="yes",
        categories=["verbal_abuse", "threat"],
        minutes=31,
    )
    live = contact_start(actor=city.staff, channel="phone")
    body = client_for(city.staff).get("/contacts/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert f'href="/contacts/{done.pk}/"' in body and f'href="/contacts/{live.pk}/"' in body
    assert (
        '<tr class="is-harassment">' in body and "31分00秒" in body and '<span class="badge live">対応中</span>' in body
    )
    assert '<span class="tag">暴言</span><span class="tag">脅迫</span>' in body
    assert "令和" in body and '<span class="muted">不明</span>' in body
