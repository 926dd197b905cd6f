"""A phone-recording system pushes its recording of a contact through the API
(multipart, streamed and hashed), and reads the contact's evidence list (metadata only)."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import token_issue
from evidence.models import CustodyEvent, Evidence, StoredFile

from .factories import make_contact
from .test_evidence_pages import PNG, wav_bytes


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def bearer(user, **options):
    options.setdefault("scope", "write")
    _token, key = token_issue(actor=None, user=user, name="通話録音装置", **options)
    return {"Authorization": f"Bearer {key}"}


def push(client, contact, headers, data, name="call.wav", **fields):
    return client.post(
        f"/api/contacts/{contact.pk}/evidence",
        {"file": SimpleUploadedFile(name, data), **fields},
        headers=headers,
    )


def test_a_recording_is_pushed_for_a_contact_and_a_second_push_is_a_duplicate(city, client):
    contact = make_contact(city.staff)
    headers = bearer(city.staff)
    data = wav_bytes()
    response = push(
        client,
        contact,
        headers,
        data,
        kind="recording",
        captured_at="2026-12-01T10:15:30+09:00",
        captured_by="通話録音装置 1号機",
        description="窓口電話の録音",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest() and body["duplicate"] is False
    evidence = Evidence.objects.get(pk=body["id"])
    assert evidence.contact == contact and evidence.captured_by_name == "通話録音装置 1号機"
    assert evidence.captured_at.isoformat().startswith("2026-12-01T01:15:30")
    again = push(client, contact, headers, data, name="call-again.wav")
    assert again.status_code == 201 and again.json()["duplicate"] is True and again.json()["duplicate_of"] == body["id"]
    assert StoredFile.objects.count() == 1 and CustodyEvent.objects.count() == 2

    listed = client.get(f"/api/contacts/{contact.pk}/evidence", headers=headers)
    assert listed.status_code == 200
    rows = listed.json()
    assert {row["original_name"] for row in rows} == {"call.wav", "call-again.wav"}
    assert rows[0]["sha256"] == body["sha256"] and "file" not in rows[0]


def test_bad_pushes_get_japanese_messages_and_keep_nothing(city, client):
    contact = make_contact(city.staff)
    headers = bearer(city.staff)
    zipped = push(client, contact, headers, b"PK\x03\x04" + b"\x00" * 40, name="a.zip")
    assert zipped.status_code == 400 and "圧縮ファイル" in str(zipped.json())
    wrong_kind = push(client, contact, headers, PNG, name="p.png", kind="recording")
    assert wrong_kind.status_code == 400 and "登録できません" in str(wrong_kind.json())
    unknown_kind = push(client, contact, headers, PNG, name="p.png", kind="banana")
    assert unknown_kind.status_code == 400 and "kind" in unknown_kind.json()["detail"]
    assert not Evidence.objects.exists() and not StoredFile.objects.exists()


def test_too_large_is_413(city, client, settings):
    settings.MAMORU_EVIDENCE_MAX_BYTES = 100
    response = push(client, make_contact(city.staff), bearer(city.staff), wav_bytes())
    assert response.status_code == 413 and "大きすぎます" in response.json()["detail"]
    assert not Evidence.objects.exists()


def test_read_scope_area_and_department_are_enforced(city, client):
    contact = make_contact(city.staff)
    data = wav_bytes()
    assert push(client, contact, bearer(city.staff, scope="read"), data).status_code == 403
    assert push(client, contact, bearer(city.staff, areas=["residents"]), data).status_code == 403
    assert push(client, contact, bearer(city.staff, areas=["contacts"]), data).status_code == 201
    assert push(client, contact, bearer(city.zeimu_staff), data).status_code == 404
    assert push(client, contact, bearer(city.admin), data).status_code == 404
    assert push(client, contact, {}, data).status_code == 401
    assert Evidence.objects.count() == 1
    # the list: another department's staff see nothing of it; a colleague sees only their own
    assert client.get(f"/api/contacts/{contact.pk}/evidence", headers=bearer(city.zeimu_staff)).status_code == 404
    assert client.get(f"/api/contacts/{contact.pk}/evidence", headers=bearer(city.supervisor)).json() != []
