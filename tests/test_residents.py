"""Residents (住民等): registration, search by name, kana or phone, editing, logging."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from people.models import Resident
from people.services import resident_delete, resident_update

from .factories import make_contact, make_resident


def test_register_from_the_form(city, client_for):
    client = client_for(city.staff)
    response = client.post(
        "/residents/new/",
        {
            "name": "髙橋 一郎",
            "name_kana": "タカハシ イチロウ",
            "phones": "０２８７－２３－８７０２\n090-1111-2222",
            "address": "大田原市本町1丁目4番12号",
        },
    )
    resident = Resident.objects.get()
    assert response.status_code == 302 and response.url == f"/residents/{resident.pk}/"
    assert [p.digits for p in resident.phones.all()] == ["0287238702", "09011112222"]
    assert AuditEntry.objects.filter(action="people.resident.created", object_id=str(resident.pk)).exists()


@pytest.mark.parametrize(
    "query",
    ["髙橋", "髙橋一郎", "たかはし", "タカハシ イチロウ", "ﾀｶﾊｼ", "0287-23-8702", "+81 287 23 8702", "８７０２"],
)
def test_search_by_name_kana_or_phone(city, client_for, query):
    resident = make_resident(city.staff, name="髙橋 一郎", kana="たかはし いちろう", phones=["0287-23-8702"])
    make_resident(city.staff, name="鈴木 次郎", kana="すずき じろう", phones=["090-9999-0000"])
    found = list(client_for(city.zeimu_staff).get("/residents/", {"q": query}).context["page"].object_list)
    assert found == [resident]


def test_picker_returns_matches_for_the_contact_form(city, client_for):
    make_resident(city.staff, name="佐藤 花子", kana="さとう はなこ")
    body = client_for(city.staff).get("/residents/pick/", {"q": "さとう"}).content.decode()
    assert "佐藤 花子" in body and "data-pick-resident" in body
    assert (
        "該当する住民等はいません"
        in client_for(city.staff).get("/residents/pick/", {"q": "存在しない"}).content.decode()
    )


def test_bad_phone_and_missing_name_are_refused_without_saving(city, client_for):
    client = client_for(city.staff)
    response = client.post("/residents/new/", {"name": "山田", "phones": "abc"})
    assert "電話番号「abc」は正しい形式ではありません。" in response.content.decode()
    response = client.post("/residents/new/", {"name": "", "phones": ""})
    assert response.context["form"].errors["name"]
    assert Resident.objects.count() == 0


def test_edit_keeps_old_values_in_the_audit_log(city):
    resident = make_resident(city.staff, address="大田原市本町1-1")
    resident_update(actor=city.supervisor, resident=resident, address="大田原市中央2-3", phones=["0287-00-0000"])
    entry = AuditEntry.objects.get(action="people.resident.updated")
    assert entry.before["address"] == "大田原市本町1-1" and entry.after["address"] == "大田原市中央2-3"
    assert entry.after["phones"] == ["0287-00-0000"]


def test_failed_update_changes_nothing(city):
    resident = make_resident(city.staff, name="元の名前", kana="もとのなまえ", phones=["0287-23-1234"])
    with pytest.raises(ValidationError):
        resident_update(actor=city.staff, resident=resident, name="新しい名前", phones=["12"])
    resident.refresh_from_db()
    assert resident.name == "元の名前" and [p.number for p in resident.phones.all()] == ["0287-23-1234"]


def test_only_the_specialist_deletes_and_only_without_contacts(city):
    resident = make_resident(city.staff)
    make_contact(city.staff, resident=resident)
    with pytest.raises(PermissionDenied):
        resident_delete(actor=city.supervisor, resident=resident)
    with pytest.raises(ValidationError, match="対応記録がある"):
        resident_delete(actor=city.specialist, resident=resident)
    spare = make_resident(city.staff, name="重複 登録")
    resident_delete(actor=city.specialist, resident=spare)
    assert not Resident.objects.filter(pk=spare.pk).exists()


def test_department_counts_on_the_resident_page(city, client_for):
    resident = make_resident(city.staff)
    make_contact(city.staff, resident=resident, harassment="yes", categories=["repetition"])
    make_contact(city.staff, resident=resident)
    make_contact(city.zeimu_staff, resident=resident)
    counts = list(client_for(city.specialist).get(f"/residents/{resident.pk}/").context["department_counts"])
    assert {(r["department__name"], r["total"], r["harassment"]) for r in counts} == {
        ("市民課", 2, 1),
        ("税務課", 1, 0),
    }


def test_the_resident_list_shows_the_badges_in_a_fixed_number_of_queries(city, client_for):
    """The list marks a resident with an open 繰り返し proposal (people.hooks.resident_badges),
    every app reading the whole page of residents at once: more residents, no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from repetition.models import RepetitionFlag

    client = client_for(city.staff)
    flagged = make_resident(city.staff, name="山田 一郎", kana="やまだ いちろう", phones=["0287-00-0001"])
    now = timezone.now()
    RepetitionFlag.objects.create(
        resident=flagged, rule_code="r", rule_name="基準", rule_description="基準", window_start=now, window_end=now
    )
    client.get("/residents/")  # the session's first request loads what later ones find ready
    counts = []
    for more in (0, 5):
        for i in range(more):
            make_resident(city.staff, name=f"山田 {i}", kana="やまだ", phones=[f"0287-10-{i:04d}"])
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/residents/", {"q": "山田"}).content.decode()
        counts.append(len(queries))
    assert page.count("繰り返し要確認") == 1
    row = page[page.index("山田 一郎") :].split("</tr>", 1)[0]
    assert "繰り返し要確認" in row
    assert counts[0] == counts[1]
