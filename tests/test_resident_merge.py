"""Merging residents (名寄せ): what moves, the audit entry, undoing exactly, the
refusals, and what users see of a resident merged away."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from cases.models import Case
from people.merging import resident_links, resident_merge, resident_merge_undo
from people.models import Resident, ResidentMerge

from .factories import make_contact, make_resident

HARASSMENT = dict(harassment="yes", categories=["verbal_abuse"])


@pytest.fixture
def pair(city):
    """The same person registered twice: once by 市民課, once by 税務課."""
    kept = make_resident(city.staff, name="髙橋 一郎", kana="たかはし いちろう", phones=["0287-23-8702"])
    twin = make_resident(
        city.zeimu_staff, name="高橋　一郎", kana="タカハシ イチロウ", phones=["0287238702", "090-1111-2222"]
    )
    return kept, twin


def _numbers(resident):
    return sorted(phone.number for phone in Resident.objects.get(pk=resident.pk).phones.all())


def test_links_are_found_from_the_model_registry():
    keys = [key for key, _model, _field in resident_links()]
    assert "records.contact" in keys and "cases.case" in keys
    assert not any(key.startswith(("people.residentmerge", "people.residentphone", "people.resident")) for key in keys)


def test_merge_moves_contacts_cases_and_missing_phones_and_is_audited(city, pair):
    kept, twin = pair
    own = make_contact(city.staff, resident=kept)
    moved_contact = make_contact(city.zeimu_staff, resident=twin, **HARASSMENT)
    other = make_contact(city.zeimu_staff, resident=twin)
    case = Case.objects.get(resident=twin)

    merge = resident_merge(actor=city.specialist, source=twin, target=kept, reason="生年月日と住所で本人確認")

    assert set(kept.contacts.all()) == {own, moved_contact, other}
    assert not twin.contacts.exists()
    case.refresh_from_db()
    assert case.resident == kept
    # The same number in another format is not copied; the new one moves.
    assert _numbers(kept) == ["0287-23-8702", "090-1111-2222"]
    twin.refresh_from_db()
    assert twin.merged_into == kept
    assert merge.moved["records.contact"] == sorted([moved_contact.pk, other.pk])
    assert merge.moved["cases.case"] == [case.pk]
    assert len(merge.moved["people.residentphone"]) == 1
    entry = AuditEntry.objects.get(action="people.resident.merged")
    assert entry.object_id == str(twin.pk)
    assert entry.before["source"]["merged_into"] is None
    assert entry.after["target"]["id"] == kept.pk and entry.after["moved"] == merge.moved
    assert entry.after["reason"] == "生年月日と住所で本人確認"


def test_undo_restores_exactly_and_keeps_what_came_later(city, pair):
    kept, twin = pair
    own = make_contact(city.staff, resident=kept)
    twin_contacts = {make_contact(city.zeimu_staff, resident=twin), make_contact(city.zeimu_staff, resident=twin)}
    kept_phones, twin_phones = _numbers(kept), _numbers(twin)
    merge = resident_merge(actor=city.specialist, source=twin, target=kept, reason="同一人物")
    later = make_contact(city.staff, resident=kept)

    resident_merge_undo(actor=city.specialist, merge=merge, reason="別人と判明")

    assert set(twin.contacts.all()) == twin_contacts
    assert set(kept.contacts.all()) == {own, later}
    assert _numbers(kept) == kept_phones and _numbers(twin) == twin_phones
    twin.refresh_from_db()
    merge.refresh_from_db()
    assert twin.merged_into is None
    assert merge.undone_by == city.specialist and merge.undone_at and merge.undo_reason == "別人と判明"
    entry = AuditEntry.objects.get(action="people.resident.merge_undone")
    assert entry.object_id == str(twin.pk) and entry.after["returned"]["records.contact"] == sorted(
        c.pk for c in twin_contacts
    )


def test_refusals_leave_nothing_half_done(city, pair):
    kept, twin = pair
    contact = make_contact(city.zeimu_staff, resident=twin)
    with pytest.raises(ValidationError, match="同じ住民等どうしは統合できません"):
        resident_merge(actor=city.specialist, source=kept, target=kept, reason="誤操作")
    with pytest.raises(ValidationError, match="統合の理由を入力してください"):
        resident_merge(actor=city.specialist, source=twin, target=kept, reason="  ")
    for user in (city.staff, city.supervisor, city.manager, city.admin):
        with pytest.raises(PermissionDenied):
            resident_merge(actor=user, source=twin, target=kept, reason="同一人物")
    contact.refresh_from_db()
    assert contact.resident == twin and not ResidentMerge.objects.exists()
    assert not AuditEntry.objects.filter(action="people.resident.merged").exists()

    third = make_resident(city.staff, name="高橋 一朗", kana="たかはし いちろう", phones=[])
    resident_merge(actor=city.specialist, source=twin, target=kept, reason="同一人物")
    twin.refresh_from_db()
    with pytest.raises(ValidationError, match="すでに「髙橋 一郎」に統合されています"):
        resident_merge(actor=city.specialist, source=twin, target=third, reason="同一人物")
    with pytest.raises(ValidationError, match="統合先にできません"):
        resident_merge(actor=city.specialist, source=third, target=twin, reason="同一人物")
    third.refresh_from_db()
    assert third.merged_into is None and ResidentMerge.objects.count() == 1


def test_undo_refusals(city, pair):
    kept, twin = pair
    third = make_resident(city.staff, name="高橋 一郎", kana="たかはし いちろう", phones=[])
    first = resident_merge(actor=city.specialist, source=twin, target=kept, reason="同一人物")
    second = resident_merge(actor=city.specialist, source=kept, target=third, reason="同一人物")
    with pytest.raises(PermissionDenied):
        resident_merge_undo(actor=city.supervisor, merge=second, reason="別人")
    with pytest.raises(ValidationError, match="取消の理由を入力してください"):
        resident_merge_undo(actor=city.specialist, merge=second, reason="")
    with pytest.raises(ValidationError, match="先に「髙橋 一郎」→「高橋 一郎」の統合を取り消してください"):
        resident_merge_undo(actor=city.specialist, merge=first, reason="別人")
    twin.refresh_from_db()
    assert twin.merged_into == kept

    resident_merge_undo(actor=city.specialist, merge=second, reason="別人")
    with pytest.raises(ValidationError, match="すでに取り消されています"):
        resident_merge_undo(actor=city.specialist, merge=second, reason="二度目")
    resident_merge_undo(actor=city.specialist, merge=first, reason="別人")
    assert not Resident.objects.filter(merged_into__isnull=False).exists()


def test_merged_away_residents_vanish_from_search_and_pick(city, pair, client_for):
    kept, twin = pair
    resident_merge(actor=city.specialist, source=twin, target=kept, reason="同一人物")
    client = client_for(city.staff)
    found = list(client.get("/residents/", {"q": "たかはし"}).context["page"].object_list)
    assert found == [kept]
    body = client.get("/residents/pick/", {"q": "090-1111-2222"}).content.decode()
    assert f'data-pick-resident="{kept.pk}"' in body and f'data-pick-resident="{twin.pk}"' not in body


def test_merged_resident_page_points_to_the_target(city, pair, client_for):
    kept, twin = pair
    merge = resident_merge(actor=city.specialist, source=twin, target=kept, reason="同一人物")
    body = client_for(city.staff).get(f"/residents/{twin.pk}/").content.decode()
    assert "この住民等は「" in body and f'href="/residents/{kept.pk}/"' in body and "に統合されました" in body
    assert f"/residents/merges/{merge.pk}/undo/" not in body
    body = client_for(city.specialist).get(f"/residents/{twin.pk}/").content.decode()
    assert f"/residents/merges/{merge.pk}/undo/" in body
    assert client_for(city.admin).get(f"/residents/{twin.pk}/").status_code == 404


def test_merge_and_undo_through_the_pages(city, pair, client_for):
    kept, twin = pair
    contact = make_contact(city.zeimu_staff, resident=twin)
    client = client_for(city.specialist)
    page = client.get(f"/residents/{twin.pk}/merge/{kept.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "髙橋 一郎" in body and "高橋　一郎" in body and "090-1111-2222" in body
    assert "税務課: 1" in body
    # The older record is kept unless the specialist chooses otherwise.
    assert page.context["form"].initial["keep"] == kept.pk

    response = client.post(f"/residents/{twin.pk}/merge/{kept.pk}/", {"keep": kept.pk, "reason": ""})
    assert response.status_code == 200 and not ResidentMerge.objects.exists()
    response = client.post(f"/residents/{twin.pk}/merge/{kept.pk}/", {"keep": kept.pk, "reason": "本人確認済み"})
    assert response.status_code == 302 and response.url == f"/residents/{kept.pk}/"
    contact.refresh_from_db()
    assert contact.resident == kept
    merge = ResidentMerge.objects.get()

    assert 'href="/residents/merges/"' in client.get("/policy/").content.decode()
    history = client.get("/residents/merges/").content.decode()
    assert "住民等の統合履歴" in history and "本人確認済み" in history

    response = client.post(f"/residents/merges/{merge.pk}/undo/", {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    response = client.post(f"/residents/merges/{merge.pk}/undo/", {"reason": "別人"})
    assert response.status_code == 302 and response.url == f"/residents/{twin.pk}/"
    contact.refresh_from_db()
    assert contact.resident == twin
    response = client.post(f"/residents/merges/{merge.pk}/undo/", {"reason": "二度目"})
    assert "この統合はすでに取り消されています。" in response.content.decode()


def test_merge_into_itself_through_the_page_is_refused(city, pair, client_for):
    kept, _twin = pair
    response = client_for(city.specialist).post(
        f"/residents/{kept.pk}/merge/{kept.pk}/", {"keep": kept.pk, "reason": "x"}
    )
    assert "同じ住民等どうしは統合できません。" in response.content.decode()
    assert not ResidentMerge.objects.exists()


@pytest.mark.parametrize("role", ["staff", "supervisor", "manager", "admin"])
def test_only_the_specialist_reaches_the_merge_pages(city, pair, client_for, role):
    kept, twin = pair
    merge = resident_merge(actor=city.specialist, source=twin, target=kept, reason="同一人物")
    client = client_for(getattr(city, role))
    assert client.get(f"/residents/{twin.pk}/merge/{kept.pk}/").status_code in (403, 404)
    assert client.post(f"/residents/{kept.pk}/merge/{twin.pk}/", {"keep": kept.pk, "reason": "x"}).status_code in (
        403,
        404,
    )
    assert client.post(f"/residents/merges/{merge.pk}/undo/", {"reason": "x"}).status_code in (403, 404)
    assert client.get("/residents/merges/").status_code in (403, 404)
    merge.refresh_from_db()
    assert merge.undone_at is None
    assert "住民等の統合履歴" not in client.get("/policy/").content.decode()


def test_repeat_behaviour_rules_are_evaluated_for_the_target_after_commit(
    city, pair, monkeypatch, django_capture_on_commit_callbacks
):
    repetition = pytest.importorskip("repetition.services")
    kept, twin = pair
    evaluated = []
    monkeypatch.setattr(repetition, "repetition_evaluate", lambda *, resident: evaluated.append(resident.pk))
    with django_capture_on_commit_callbacks(execute=True):
        merge = resident_merge(actor=city.specialist, source=twin, target=kept, reason="同一人物")
        assert evaluated == []
    assert evaluated == [kept.pk]
    with django_capture_on_commit_callbacks(execute=True):
        resident_merge_undo(actor=city.specialist, merge=merge, reason="別人")
    assert sorted(evaluated) == sorted([kept.pk, twin.pk, kept.pk])


def test_open_repetition_proposals_on_both_records_give_way_to_the_merge(city, pair):
    """Open 繰り返し proposals for one rule on both records: the source's is
    withdrawn (a proposal is computed from the contacts, which all move), with
    an audit entry; a decided flag moves with the merge."""
    from django.utils import timezone

    from audit.models import AuditEntry
    from repetition.models import RepetitionFlag

    kept, twin = pair
    contact = make_contact(city.zeimu_staff, resident=twin)
    now = timezone.now()
    flags = {
        resident.pk: RepetitionFlag.objects.create(
            resident=resident,
            rule_code="same_rule",
            rule_name="基準",
            rule_description="基準",
            window_start=now,
            window_end=now,
        )
        for resident in (kept, twin)
    }
    decided = RepetitionFlag.objects.create(
        resident=twin,
        rule_code="same_rule",
        rule_name="基準",
        rule_description="基準",
        window_start=now,
        window_end=now,
        status="dismissed",
    )
    resident_merge(actor=city.specialist, source=twin, target=kept, reason="同一人物")
    contact.refresh_from_db()
    assert contact.resident == kept
    assert not RepetitionFlag.objects.filter(pk=flags[twin.pk].pk).exists()
    assert RepetitionFlag.objects.get(pk=flags[kept.pk].pk).resident == kept
    assert RepetitionFlag.objects.get(pk=decided.pk).resident == kept
    assert AuditEntry.objects.filter(action="repetition.flag.withdrawn").count() == 1


def test_a_merged_resident_cannot_be_edited(city, pair, client_for):
    kept, twin = pair
    resident_merge(actor=city.specialist, source=twin, target=kept, reason="同一人物")
    response = client_for(city.staff).post(f"/residents/{twin.pk}/edit/", {"name": "書き換え"})
    assert response.status_code == 302 and response.url == f"/residents/{twin.pk}/"
    twin.refresh_from_db()
    assert twin.name == "高橋　一郎"


def test_merge_and_undo_messages_name_both_residents_by_number(city, client_for):
    """Two records of one person usually share the name: the messages say
    which record went into which (issue 12: 「「阿部 キヨ」を「阿部 キヨ」に統合しました」)."""
    kept = make_resident(city.staff, name="阿部 キヨ", kana="あべ きよ", phones=["0287-11-1111"])
    twin = make_resident(city.zeimu_staff, name="阿部 キヨ", kana="あべ きよ", phones=["0287-22-2222"])
    client = client_for(city.specialist)
    page = client.get(f"/residents/{twin.pk}/merge/{kept.pk}/").content.decode()
    assert f"No.{kept.pk}" in page and f"No.{twin.pk}" in page
    response = client.post(
        f"/residents/{twin.pk}/merge/{kept.pk}/", {"keep": kept.pk, "reason": "本人確認済み"}, follow=True
    )
    said = [str(message) for message in response.context["messages"]]
    assert said == [f"住民等 No.{twin.pk}「阿部 キヨ」を No.{kept.pk}「阿部 キヨ」に統合しました。"]
    merge = ResidentMerge.objects.get(source=twin, target=kept)
    response = client.post(f"/residents/merges/{merge.pk}/undo/", {"reason": "別人でした"}, follow=True)
    said = [str(message) for message in response.context["messages"]]
    assert said == [f"住民等 No.{twin.pk}「阿部 キヨ」と No.{kept.pk}「阿部 キヨ」の統合を取り消しました。"]
