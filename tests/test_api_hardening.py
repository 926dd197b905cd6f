"""The API's smaller holes (issue 13, A11) and NUL at the edge (A10): numbers beyond what the
database stores, a PUT without the version it was based on or without its 対応職員, a
retried POST, and NUL characters anywhere a request carries text."""

import json
from urllib.parse import urlencode

import pytest

from people.models import Resident
from records.models import Contact
from tests.test_api import Api, api_for, assert_japanese_error, contact_payload, seed_contact  # noqa: F401

TOO_BIG = 2**63  # one past the largest id SQLite and PostgreSQL store


# --- Numbers out of range -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/contacts", {"offset": str(TOO_BIG)}, 400),
        ("/contacts", {"offset": "1000000001"}, 400),
        ("/contacts", {"department_id": str(TOO_BIG)}, 422),
        ("/contacts", {"resident_id": str(TOO_BIG)}, 422),
        (f"/contacts/{TOO_BIG}", None, 422),
        (f"/residents/{TOO_BIG}", None, 422),
        (f"/residents/{TOO_BIG}/contacts", None, 422),
    ],
)
def test_numbers_beyond_the_database_are_refused(api_for, city, path, params, status):  # noqa: F811
    assert_japanese_error(api_for(city.staff).get(path, params), status)


@pytest.mark.parametrize("field", ["department_id", "resident_id"])
def test_ids_beyond_the_database_in_a_body_are_refused(api_for, city, field):  # noqa: F811
    before = Contact.objects.count()
    assert_japanese_error(api_for(city.staff).post("/contacts", contact_payload(city.shimin, **{field: TOO_BIG})), 422)
    assert Contact.objects.count() == before


def test_the_largest_id_is_simply_not_found(api_for, city):  # noqa: F811
    assert_japanese_error(api_for(city.staff).get(f"/contacts/{TOO_BIG - 1}"), 404)


# --- PUT -----------------------------------------------------------------------------------


def test_put_without_version_is_refused(api_for, city):  # noqa: F811
    contact = seed_contact(city.staff, city.shimin)
    body = assert_japanese_error(api_for(city.staff).put(f"/contacts/{contact.pk}", contact_payload(city.shimin)), 428)
    assert "version" in body["detail"]
    contact.refresh_from_db()
    assert (contact.version, contact.summary) == (1, "窓口での相談")


def test_put_without_staff_keeps_the_contacts_staff(api_for, city):  # noqa: F811
    """A supervisor correcting staff1's record through the API does not become its 対応職員."""
    contact = seed_contact(city.staff, city.shimin)
    payload = contact_payload(city.shimin, summary="訂正後の概要")
    payload.pop("staff_username", None)
    response = api_for(city.supervisor).put(f"/contacts/{contact.pk}?version=1", payload)
    assert response.status_code == 200, response.content.decode()
    assert response.json()["staff_username"] == "staff1"
    contact.refresh_from_db()
    assert (contact.staff, contact.summary, contact.version) == (city.staff, "訂正後の概要", 2)


def test_put_naming_staff_changes_it(api_for, city):  # noqa: F811
    contact = seed_contact(city.staff, city.shimin)
    payload = contact_payload(city.shimin, staff_username="supervisor1")
    assert api_for(city.supervisor).put(f"/contacts/{contact.pk}?version=1", payload).status_code == 200
    contact.refresh_from_db()
    assert contact.staff == city.supervisor


# --- Idempotency-Key --------------------------------------------------------------------------


def _post(api, path, payload, key):
    return api.client.post(
        f"/api{path}",
        json.dumps(payload),
        content_type="application/json",
        headers={**api.headers, "Idempotency-Key": key},
    )


def test_a_retried_contact_is_not_duplicated(api_for, city):  # noqa: F811
    api = api_for(city.staff)
    payload = contact_payload(city.shimin)
    first = _post(api, "/contacts", payload, "rokuon-2026-0001")
    assert first.status_code == 201
    again = _post(api, "/contacts", payload, "rokuon-2026-0001")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Contact.objects.count() == 1
    other = _post(api, "/contacts", payload, "rokuon-2026-0002")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert Contact.objects.count() == 2


def test_a_key_reused_for_another_body_is_refused(api_for, city):  # noqa: F811
    api = api_for(city.staff)
    assert _post(api, "/contacts", contact_payload(city.shimin), "k1").status_code == 201
    body = assert_japanese_error(_post(api, "/contacts", contact_payload(city.shimin, summary="別件"), "k1"), 400)
    assert "Idempotency-Key" in json.dumps(body, ensure_ascii=False)
    assert Contact.objects.count() == 1


def test_a_refused_first_attempt_does_not_hold_the_key(api_for, city):  # noqa: F811
    api = api_for(city.staff)
    assert _post(api, "/contacts", contact_payload(city.shimin, channel="fax"), "k2").status_code == 400
    # The body differs, but nothing was stored for the refused one: the key is free.
    assert _post(api, "/contacts", contact_payload(city.shimin), "k2").status_code == 201
    assert Contact.objects.count() == 1


def test_keys_are_per_user(api_for, city):  # noqa: F811
    payload = contact_payload(city.shimin, staff_username="staff1")
    assert _post(api_for(city.staff), "/contacts", payload, "same").status_code == 201
    assert _post(api_for(city.supervisor), "/contacts", payload, "same").status_code == 201
    assert Contact.objects.count() == 2


def test_a_retried_resident_is_not_duplicated(api_for, city):  # noqa: F811
    api = api_for(city.staff)
    first = _post(api, "/residents", {"name": "山田 太郎", "phones": ["0287-00-0000"]}, "r1")
    again = _post(api, "/residents", {"name": "山田 太郎", "phones": ["0287-00-0000"]}, "r1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Resident.objects.count() == 1


@pytest.mark.parametrize("key", ["", "鍵", "x" * 201])
def test_a_malformed_key_is_refused(api_for, city, key):  # noqa: F811
    assert_japanese_error(_post(api_for(city.staff), "/residents", {"name": "山田"}, key), 400)
    assert not Resident.objects.exists()


# --- NUL at the edge (A10) ----------------------------------------------------------------------


def test_nul_in_api_bodies_is_refused(api_for, city):  # noqa: F811
    api = api_for(city.staff)
    before = (Contact.objects.count(), Resident.objects.count())
    body = assert_japanese_error(api.post("/contacts", contact_payload(city.shimin, summary="a\x00b")), 400)
    assert "NUL" in body["detail"]
    assert_japanese_error(api.post("/residents", {"name": "山田\x00太郎"}), 400)
    assert_japanese_error(api.post("/residents", '{"name": "x", "notes\\u0000": "y"}'), 400)  # in a key
    raw = json.dumps({"name": "山田"}).encode()[:-1] + b', "notes": "\x00"}'
    response = api.client.post("/api/residents", raw, content_type="application/json", headers=api.headers)
    assert_japanese_error(response, 400)
    assert (Contact.objects.count(), Resident.objects.count()) == before


def test_an_escaped_backslash_is_not_nul(api_for, city):  # noqa: F811
    response = api_for(city.staff).post("/residents", {"name": "山田", "notes": "C:\\u0000 のような文字列"})
    assert response.status_code == 201
    assert response.json()["notes"] == "C:\\u0000 のような文字列"


@pytest.mark.parametrize("path", ["/contacts", "/residents"])
def test_nul_in_api_queries_is_refused(api_for, city, path):  # noqa: F811
    api = api_for(city.staff)
    response = api.client.get(f"/api{path}?q=a%00b", headers=api.headers)
    assert_japanese_error(response, 400)


@pytest.mark.parametrize("path", ["/residents/", "/residents/pick/", "/residents/duplicates/", "/contacts/"])
def test_nul_in_page_queries_is_refused(client_for, city, path):
    response = client_for(city.staff).get(f"{path}?q=a%00b")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_nul_in_forms_is_refused(client_for, city):
    client = client_for(city.staff)
    response = client.post("/residents/new/", {"name": "山田\x00太郎"})  # multipart
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    form = urlencode({"name": "山田\x00太郎"})  # name=%E5%B1%B1%E7%94%B0%00...
    response = client.post("/residents/new/", form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not Resident.objects.exists()


def test_requests_without_nul_pass(client_for, city):
    client = client_for(city.staff)
    assert client.get("/residents/?q=%E5%B1%B1%E7%94%B0").status_code == 200
    assert client.get("/residents/?q=100%25").status_code == 200
