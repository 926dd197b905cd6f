"""The JSON API: bearer tokens, scope, validation and audit entries.

The API calls the same services and selectors as the pages, so a member of
staff of 税務課 can no more read a 市民課 contact through it than on screen,
and a refused request leaves nothing half-saved."""

import datetime as dt
import json
import re

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.services import token_issue, token_revoke
from audit.models import AuditEntry
from people.models import Resident, ResidentPhone
from people.services import resident_create
from records.models import Contact, ContactCategory, ContactRevision
from records.services import ContactData, contact_create

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def assert_japanese_error(response, status):
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert JAPANESE.search(body["detail"]), body
    return body


class Api:
    """The test client, sending one user's bearer token with every request."""

    def __init__(self, client, key):
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path, params=None):
        return self.client.get(f"/api{path}", params or {}, headers=self.headers)

    def post(self, path, payload):
        body = payload if isinstance(payload, str) else json.dumps(payload)
        return self.client.post(f"/api{path}", body, content_type="application/json", headers=self.headers)

    def put(self, path, payload):
        body = payload if isinstance(payload, str) else json.dumps(payload)
        return self.client.put(f"/api{path}", body, content_type="application/json", headers=self.headers)


@pytest.fixture
def api_for(client, city):
    def make(user):
        _token, key = token_issue(actor=None, user=user, name="テスト", scope="write")
        return Api(client, key)

    return make


def contact_payload(department, **changes):
    started = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2)
    payload = {
        "department_id": department.pk,
        "channel": "phone",
        "started_at": started.isoformat(),
        "ended_at": (started + dt.timedelta(minutes=40)).isoformat(),
        "summary": "納税通知についての苦情",
        "words_and_behaviour": "「責任者を出せ」と繰り返した",
        "staff_response": "対応時間が原則30分以内であることを伝えた",
        "harassment": "yes",
        "categories": ["long_detention", "repetition"],
        "harms": ["obstruction"],
        "harm_reason": "窓口業務が40分止まった",
    }
    payload.update(changes)
    return payload


def seed_contact(user, department, summary="窓口での相談", resident=None):
    started = timezone.now() - dt.timedelta(days=1)
    data = ContactData(
        department=department,
        channel="counter",
        staff=user,
        started_at=started,
        ended_at=started + dt.timedelta(minutes=10),
        summary=summary,
        resident=resident,
    )
    return contact_create(actor=user, data=data)


def row_counts():
    return {
        "contacts": Contact.objects.count(),
        "categories": ContactCategory.objects.count(),
        "revisions": ContactRevision.objects.count(),
        "other_staff": Contact.other_staff.through.objects.count(),
        "residents": Resident.objects.count(),
        "phones": ResidentPhone.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


# --- Tokens -------------------------------------------------------------------


def test_missing_token_is_refused(client, city):
    response = client.get("/api/contacts")
    assert_japanese_error(response, 401)


@pytest.mark.parametrize("key", ["mamoru_not-a-real-token", "garbage", ""])
def test_invalid_token_is_refused(client, city, key):
    response = client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"})
    assert_japanese_error(response, 401)


def test_revoked_token_is_refused(client, city):
    token, key = token_issue(actor=None, user=city.staff, name="録音システム")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/contacts", headers=headers).status_code == 200
    token_revoke(actor=city.admin, token=token)
    assert_japanese_error(client.get("/api/contacts", headers=headers), 401)


def test_token_of_inactive_user_is_refused(client, city):
    _token, key = token_issue(actor=None, user=city.staff, name="録音システム")
    city.staff.is_active = False
    city.staff.save(update_fields=["is_active"])
    assert_japanese_error(client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"}), 401)


def test_signed_in_session_is_not_enough(client_for, city):
    """The API takes tokens only, so a page cannot be tricked into calling it
    with the browser's session (no CSRF exposure)."""
    client = client_for(city.staff)
    assert client.get("/").status_code == 200
    assert_japanese_error(client.get("/api/contacts"), 401)
    payload = json.dumps(contact_payload(city.shimin))
    before = row_counts()
    assert_japanese_error(client.post("/api/contacts", payload, content_type="application/json"), 401)
    assert row_counts() == before


def test_token_use_is_remembered(client, city):
    token, key = token_issue(actor=None, user=city.staff, name="録音システム")
    assert token.last_used_at is None
    client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"})
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_openapi_schema_lists_contacts_and_residents(client, city):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in (
        "/api/contacts",
        "/api/contacts/{contact_id}",
        "/api/residents",
        "/api/residents/{resident_id}",
        "/api/residents/{resident_id}/contacts",
    ):
        assert path in paths, path
    assert set(paths["/api/contacts"]) == {"get", "post"}
    assert set(paths["/api/contacts/{contact_id}"]) == {"get", "put"}
    assert any(scheme.get("scheme") == "bearer" for scheme in schema["components"]["securitySchemes"].values())


# --- Contacts -----------------------------------------------------------------


def test_create_contact(api_for, city):
    api = api_for(city.staff)
    payload = contact_payload(city.shimin, other_staff_usernames=["supervisor1"])
    response = api.post("/contacts", payload)
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    contact = Contact.objects.get(pk=body["id"])
    assert contact.department == city.shimin
    assert contact.staff == city.staff  # the token's user, when no staff is named
    assert contact.created_by == city.staff
    assert list(contact.other_staff.all()) == [city.supervisor]
    assert contact.duration_seconds == 40 * 60
    assert sorted(contact.categories.values_list("code", flat=True)) == ["long_detention", "repetition"]
    assert contact.harms == ["obstruction"]
    assert body["version"] == 1
    assert body["department"] == "市民課"
    assert body["staff_username"] == "staff1"
    assert body["other_staff_usernames"] == ["supervisor1"]
    assert body["categories"] == ["long_detention", "repetition"]
    assert body["duration_seconds"] == 2400
    assert contact.revisions.count() == 1


def test_create_contact_naming_another_member_of_staff(api_for, city):
    response = api_for(city.supervisor).post("/contacts", contact_payload(city.shimin, staff_username="staff1"))
    assert response.status_code == 201, response.content.decode()
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.staff == city.staff
    assert contact.created_by == city.supervisor


def test_create_contact_with_local_time_without_offset(api_for, city):
    """A time without an offset is Japan time (the city's systems send those)."""
    response = api_for(city.staff).post(
        "/contacts", contact_payload(city.shimin, started_at="2025-12-19T10:00:00", ended_at="2025-12-19T10:31:00")
    )
    assert response.status_code == 201, response.content.decode()
    contact = Contact.objects.get(pk=response.json()["id"])
    assert timezone.localtime(contact.started_at).strftime("%Y-%m-%d %H:%M") == "2025-12-19 10:00"
    assert contact.started_at == dt.datetime(2025, 12, 19, 1, 0, tzinfo=dt.UTC)
    assert contact.duration_seconds == 31 * 60


def test_list_contacts_in_scope(api_for, city):
    mine = seed_contact(city.staff, city.shimin, summary="住民票の請求")
    seed_contact(city.supervisor, city.shimin, summary="戸籍の相談")
    other = seed_contact(city.zeimu_staff, city.zeimu, summary="税額への不満")

    response = api_for(city.staff).get("/contacts")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert other.pk not in {item["id"] for item in body["items"]}

    body = api_for(city.staff).get("/contacts", {"q": "住民票"}).json()
    assert [item["id"] for item in body["items"]] == [mine.pk]

    body = api_for(city.staff).get("/contacts", {"department_id": city.zeimu.pk}).json()
    assert body == {"count": 0, "items": []}

    body = api_for(city.staff).get("/contacts", {"limit": 1}).json()
    assert body["count"] == 2 and len(body["items"]) == 1


def test_list_contacts_bad_paging_is_refused(api_for, city):
    api = api_for(city.staff)
    assert_japanese_error(api.get("/contacts", {"limit": 0}), 400)
    assert_japanese_error(api.get("/contacts", {"limit": 501}), 400)
    assert_japanese_error(api.get("/contacts", {"offset": -1}), 400)
    assert_japanese_error(api.get("/contacts", {"date_from": "昨日"}), 422)


def test_get_contact_records_a_view(api_for, city):
    contact = seed_contact(city.staff, city.shimin)
    response = api_for(city.supervisor).get(f"/contacts/{contact.pk}")
    assert response.status_code == 200
    assert response.json()["summary"] == "窓口での相談"
    entry = AuditEntry.objects.get(action="records.contact.viewed", object_id=str(contact.pk))
    assert entry.actor == city.supervisor
    assert entry.actor_name == "supervisor1"
    assert entry.address == "127.0.0.1"
    assert entry.request_id == response["X-Request-ID"]
    assert entry.object_type == "records.contact"


def test_update_contact(api_for, city):
    contact = seed_contact(city.staff, city.shimin)
    payload = contact_payload(city.shimin, summary="住民票の交付についての苦情", categories=["verbal_abuse"])
    response = api_for(city.staff).put(f"/contacts/{contact.pk}?version=1", payload)
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["version"] == 2
    assert body["summary"] == "住民票の交付についての苦情"
    assert body["categories"] == ["verbal_abuse"]
    contact.refresh_from_db()
    assert contact.version == 2
    assert contact.channel == "phone"
    assert contact.revisions.count() == 2
    entry = AuditEntry.objects.get(action="records.contact.updated", object_id=str(contact.pk))
    assert entry.actor == city.staff
    assert entry.before["summary"] == "窓口での相談"
    assert entry.after["summary"] == "住民票の交付についての苦情"
    assert entry.address == "127.0.0.1"


def test_create_contact_is_audited(api_for, city):
    response = api_for(city.staff).post("/contacts", contact_payload(city.shimin))
    assert response.status_code == 201
    entry = AuditEntry.objects.get(action="records.contact.created")
    assert entry.object_id == str(response.json()["id"])
    assert entry.actor == city.staff
    assert entry.address == "127.0.0.1"
    assert entry.request_id == response["X-Request-ID"]
    assert entry.after["summary"] == "納税通知についての苦情"


def test_wrong_version_is_a_conflict(api_for, city):
    contact = seed_contact(city.staff, city.shimin)
    api = api_for(city.staff)
    assert api.put(f"/contacts/{contact.pk}?version=1", contact_payload(city.shimin)).status_code == 200
    before = row_counts()
    stale = contact_payload(city.shimin, summary="古い画面からの保存")
    body = assert_japanese_error(api.put(f"/contacts/{contact.pk}?version=1", stale), 409)
    assert "他の職員が更新しました" in " ".join(body["errors"]["__all__"])
    assert row_counts() == before
    contact.refresh_from_db()
    assert contact.version == 2
    assert contact.summary == "納税通知についての苦情"


def test_invalid_update_changes_nothing(api_for, city):
    contact = seed_contact(city.staff, city.shimin)
    api = api_for(city.staff)
    before = row_counts()
    payload = contact_payload(
        city.shimin, summary="変更するつもりの件名", categories=["long_detention", "no_such_code"]
    )
    body = assert_japanese_error(api.put(f"/contacts/{contact.pk}?version=1", payload), 400)
    assert "categories" in body["errors"]
    assert row_counts() == before
    contact.refresh_from_db()
    assert (contact.version, contact.summary, contact.channel) == (1, "窓口での相談", "counter")
    assert not contact.categories.exists()


# --- Scope --------------------------------------------------------------------


def test_other_department_cannot_read_contact(api_for, city):
    contact = seed_contact(city.staff, city.shimin)
    api = api_for(city.zeimu_staff)
    before = row_counts()
    assert_japanese_error(api.get(f"/contacts/{contact.pk}"), 404)
    assert row_counts() == before  # no "viewed" entry for a refused view
    assert api.get("/contacts").json()["count"] == 0


def test_other_department_cannot_update_contact(api_for, city):
    contact = seed_contact(city.staff, city.shimin)
    api = api_for(city.zeimu_staff)
    before = row_counts()
    payload = contact_payload(city.zeimu, summary="書き換え")
    assert_japanese_error(api.put(f"/contacts/{contact.pk}", payload), 404)
    assert row_counts() == before
    contact.refresh_from_db()
    assert (contact.department, contact.summary, contact.version) == (city.shimin, "窓口での相談", 1)


def test_other_department_cannot_create_contact_there(api_for, city):
    api = api_for(city.zeimu_staff)
    before = row_counts()
    body = assert_japanese_error(api.post("/contacts", contact_payload(city.shimin)), 400)
    assert "担当課" in body["errors"]["department"][0]
    assert row_counts() == before


def test_cannot_move_contact_to_another_department(api_for, city):
    contact = seed_contact(city.staff, city.shimin)
    api = api_for(city.staff)
    before = row_counts()
    body = assert_japanese_error(api.put(f"/contacts/{contact.pk}?version=1", contact_payload(city.zeimu)), 400)
    assert "department" in body["errors"]
    assert row_counts() == before


def test_specialist_sees_every_department(api_for, city):
    shimin = seed_contact(city.staff, city.shimin)
    zeimu = seed_contact(city.zeimu_staff, city.zeimu)
    api = api_for(city.specialist)
    body = api.get("/contacts").json()
    assert body["count"] == 2
    assert {item["id"] for item in body["items"]} == {shimin.pk, zeimu.pk}
    assert api.get(f"/contacts/{zeimu.pk}").status_code == 200
    response = api.post("/contacts", contact_payload(city.zeimu, staff_username="staff2"))
    assert response.status_code == 201, response.content.decode()


def test_administrator_sees_no_contacts_or_residents(api_for, city):
    resident = resident_create(actor=city.staff, name="大田原 太郎", phones=["0287-23-0000"])
    contact = seed_contact(city.staff, city.shimin, resident=resident)
    api = api_for(city.admin)
    assert api.get("/contacts").json() == {"count": 0, "items": []}
    assert_japanese_error(api.get(f"/contacts/{contact.pk}"), 404)
    assert api.get("/residents").json() == []
    assert_japanese_error(api.get(f"/residents/{resident.pk}"), 404)
    assert_japanese_error(api.get(f"/residents/{resident.pk}/contacts"), 404)
    before = row_counts()
    assert_japanese_error(api.post("/contacts", contact_payload(city.shimin, staff_username="staff1")), 403)
    assert_japanese_error(api.post("/residents", {"name": "管理 者の登録"}), 403)
    assert_japanese_error(api.put(f"/contacts/{contact.pk}", contact_payload(city.shimin)), 404)
    assert row_counts() == before


# --- Bad input: 4xx, a Japanese message, nothing saved ---------------------------


def _over_limit():
    return "あ" * (settings.MAMORU_TEXT_LIMIT + 1)


BAD_CREATES = {
    "malformed_json": (lambda city: '{"department_id": 1, "channel": ', 400, None),
    "not_an_object": (lambda city: "[1, 2, 3]", 422, None),
    "missing_channel": (
        lambda city: {k: v for k, v in contact_payload(city.shimin).items() if k != "channel"},
        422,
        None,
    ),
    "missing_started_at": (
        lambda city: {k: v for k, v in contact_payload(city.shimin).items() if k != "started_at"},
        422,
        None,
    ),
    "unknown_category": (
        lambda city: contact_payload(city.shimin, categories=["long_detention", "abc"]),
        400,
        "categories",
    ),
    "unknown_channel": (lambda city: contact_payload(city.shimin, channel="fax"), 400, "channel"),
    "unknown_harm": (lambda city: contact_payload(city.shimin, harms=["money"]), 400, "harms"),
    "harassment_without_category": (lambda city: contact_payload(city.shimin, categories=[]), 400, "categories"),
    "end_before_start": (
        lambda city: contact_payload(
            city.shimin, started_at="2025-12-19T10:00:00+09:00", ended_at="2025-12-19T09:59:00+09:00"
        ),
        400,
        "ended_at",
    ),
    "start_in_future": (
        lambda city: contact_payload(
            city.shimin, started_at=(timezone.now() + dt.timedelta(days=1)).isoformat(), ended_at=None
        ),
        400,
        "started_at",
    ),
    "text_over_limit": (
        lambda city: contact_payload(city.shimin, words_and_behaviour=_over_limit()),
        400,
        "words_and_behaviour",
    ),
    "summary_over_limit": (lambda city: contact_payload(city.shimin, summary="件" * 201), 400, "summary"),
    "forged_department": (lambda city: contact_payload(city.shimin, department_id=987654), 400, "department"),
    "other_department": (lambda city: contact_payload(city.zeimu), 400, "department"),
    "unknown_staff": (lambda city: contact_payload(city.shimin, staff_username="nobody"), 400, "staff"),
    "staff_of_other_department": (lambda city: contact_payload(city.shimin, staff_username="staff2"), 400, "staff"),
    "administrator_as_other_staff": (
        lambda city: contact_payload(city.shimin, other_staff_usernames=["supervisor1", "admin"]),
        400,
        "other_staff",
    ),
    "unknown_resident": (lambda city: contact_payload(city.shimin, resident_id=987654), 400, "resident_id"),
    "wrong_type": (lambda city: contact_payload(city.shimin, department_id="市民課"), 422, None),
    # The definition check's rules, as the contact form applies them (issue 12).
    "content_yes_without_reason": (
        lambda city: contact_payload(city.shimin, content_unreasonable="yes", content_reason="  "),
        400,
        "content_reason",
    ),
    "manner_yes_without_reason": (
        lambda city: contact_payload(city.shimin, manner_inappropriate="yes"),
        400,
        "manner_reason",
    ),
    "harm_without_reason": (lambda city: contact_payload(city.shimin, harm_reason=""), 400, "harm_reason"),
    "harassment_on_two_no_answers": (
        lambda city: contact_payload(city.shimin, content_unreasonable="no", manner_inappropriate="no"),
        400,
        "harassment",
    ),
    "restriction_reason_over_limit": (
        lambda city: contact_payload(city.shimin, restriction_exception_reason=_over_limit()),
        400,
        "restriction_exception_reason",
    ),
    "bad_datetime": (lambda city: contact_payload(city.shimin, started_at="令和7年12月19日"), 422, None),
}


@pytest.mark.parametrize("case", sorted(BAD_CREATES))
def test_bad_contact_is_refused_and_nothing_saved(api_for, city, case):
    make_payload, status, field = BAD_CREATES[case]
    api = api_for(city.staff)
    before = row_counts()
    body = assert_japanese_error(api.post("/contacts", make_payload(city)), status)
    if field:
        assert field in body["errors"], body
        assert all(JAPANESE.search(message) for message in body["errors"][field])
    assert row_counts() == before


def test_text_at_the_limit_is_accepted(api_for, city):
    text = "あ" * settings.MAMORU_TEXT_LIMIT
    response = api_for(city.staff).post("/contacts", contact_payload(city.shimin, words_and_behaviour=text))
    assert response.status_code == 201, response.content.decode()[:500]
    assert len(Contact.objects.get(pk=response.json()["id"]).words_and_behaviour) == settings.MAMORU_TEXT_LIMIT


def test_unknown_contact_is_404(api_for, city):
    api = api_for(city.staff)
    assert_japanese_error(api.get("/contacts/987654"), 404)
    assert_japanese_error(api.put("/contacts/987654", contact_payload(city.shimin)), 404)


# --- Residents ----------------------------------------------------------------


def test_create_and_read_resident(api_for, city):
    api = api_for(city.staff)
    payload = {
        "name": "大田原 太郎",
        "name_kana": "オオタワラ タロウ",
        "phones": ["0287-23-1234"],
        "address": "大田原市本町1丁目",
    }
    response = api.post("/residents", payload)
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    resident = Resident.objects.get(pk=body["id"])
    assert resident.created_by == city.staff
    assert body["phones"] == ["0287-23-1234"]
    created = AuditEntry.objects.get(action="people.resident.created", object_id=str(resident.pk))
    assert created.actor == city.staff
    assert created.address == "127.0.0.1"

    # Residents are shared across departments; looking one up leaves a trace.
    other = api_for(city.zeimu_staff)
    response = other.get(f"/residents/{resident.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "大田原 太郎"
    viewed = AuditEntry.objects.get(action="people.resident.viewed", object_id=str(resident.pk))
    assert viewed.actor == city.zeimu_staff
    assert viewed.request_id == response["X-Request-ID"]


def test_search_residents(api_for, city):
    taro = resident_create(actor=city.staff, name="大田原 太郎", name_kana="おおたわら たろう", phones=["0287-23-1234"])
    resident_create(actor=city.staff, name="黒羽 花子", name_kana="くろばね はなこ", phones=["090-1111-2222"])
    api = api_for(city.staff)
    assert [r["id"] for r in api.get("/residents", {"q": "オオタワラ"}).json()] == [taro.pk]
    assert [r["id"] for r in api.get("/residents", {"q": "0287231234"}).json()] == [taro.pk]
    assert len(api.get("/residents").json()) == 2
    assert len(api.get("/residents", {"limit": 1}).json()) == 1
    assert_japanese_error(api.get("/residents", {"limit": 0}), 400)


def test_resident_contacts_are_scoped(api_for, city):
    resident = resident_create(actor=city.staff, name="大田原 太郎")
    shimin = seed_contact(city.staff, city.shimin, resident=resident)
    zeimu = seed_contact(city.zeimu_staff, city.zeimu, resident=resident)
    assert [c["id"] for c in api_for(city.staff).get(f"/residents/{resident.pk}/contacts").json()] == [shimin.pk]
    assert [c["id"] for c in api_for(city.zeimu_staff).get(f"/residents/{resident.pk}/contacts").json()] == [zeimu.pk]
    assert {c["id"] for c in api_for(city.specialist).get(f"/residents/{resident.pk}/contacts").json()} == {
        shimin.pk,
        zeimu.pk,
    }


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ("{name: 大田原}", 400, None),
        ({"name_kana": "おおたわら"}, 422, None),
        ({"name": ""}, 422, None),
        ({"name": "   "}, 400, "name"),
        ({"name": "大田原 太郎", "phones": ["0287-23-1234", "12"]}, 400, "phones"),
        ({"name": "大田原 太郎", "phones": "0287-23-1234"}, 422, None),
        ({"name": "大" * 101}, 422, None),
    ],
)
def test_bad_resident_is_refused_and_nothing_saved(api_for, city, payload, status, field):
    api = api_for(city.staff)
    before = row_counts()
    body = assert_japanese_error(api.post("/residents", payload), status)
    if field:
        assert field in body["errors"]
    assert row_counts() == before


def test_unknown_resident_is_404(api_for, city):
    assert_japanese_error(api_for(city.staff).get("/residents/987654"), 404)
