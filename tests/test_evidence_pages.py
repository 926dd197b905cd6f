"""The evidence pages: several files added at once from the contact and case pages
(each file's own result), the evidence page with its custody log, and playing,
viewing or downloading only after the purpose is given (with HTTP Range)."""

import hashlib
import io
import re
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from cases.models import Case
from evidence import services
from evidence.choices import CustodyKind
from evidence.incoming import incoming_from_stream
from evidence.models import CustodyEvent, Evidence, StoredFile
from mamoru.lib.panels import render_panels

from .factories import make_contact

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def wav_bytes(seconds: float = 0.5, rate: int = 8000, sample: bytes = b"\x10\x00") -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(sample * int(seconds * rate))
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def upload_url(contact):
    return reverse("evidence:contact_upload", args=[contact.pk])


def add(actor, contact, data=None, name="通話.wav"):
    data = wav_bytes() if data is None else data
    return services.evidence_add(
        actor=actor, incoming=incoming_from_stream(io.BytesIO(data), name=name), contact=contact
    ).evidence


def test_several_files_at_once_each_with_its_result_and_a_bad_one_loses_none(city, client_for):
    contact = make_contact(city.staff)
    recording = wav_bytes()
    response = client_for(city.staff).post(
        upload_url(contact),
        {
            "files": [
                SimpleUploadedFile("通話録音.wav", recording),
                SimpleUploadedFile("窓口.jpg", PNG),
                SimpleUploadedFile("証拠.zip", b"PK\x03\x04" + b"\x00" * 40),
            ],
            "kind": "",
            "captured_by_name": "市民 一郎",
            "captured_at": "2026-12-01T10:15",
            "captured_place": "市民課窓口",
            "description": "窓口での大声",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "2 件を登録しました" in text and "1 件は登録できませんでした" in text
    assert "圧縮ファイル" in text  # the refused file's own message
    assert "内容は PNG" in text  # the name said JPG
    evidence = Evidence.objects.order_by("id")
    assert [e.original_name for e in evidence] == ["通話録音.wav", "窓口.jpg"]
    first = evidence[0]
    assert first.kind == "recording" and first.captured_place == "市民課窓口" and first.captured_by_name == "市民 一郎"
    assert first.captured_at is not None and first.captured_at.hour in (1, 10)  # 10:15 JST
    assert first.stored_file.sha256 == hashlib.sha256(recording).hexdigest()
    assert StoredFile.objects.count() == 2  # nothing of the zip kept


def test_the_second_upload_of_the_same_bytes_says_so(city, client_for):
    contact = make_contact(city.staff)
    add(city.staff, contact, name="最初.wav")
    response = client_for(city.staff).post(
        upload_url(contact), {"files": [SimpleUploadedFile("again.wav", wav_bytes())]}
    )
    assert "既に証拠として登録" in response.content.decode()
    assert StoredFile.objects.count() == 1 and Evidence.objects.count() == 2


def test_no_file_or_a_future_capture_time_is_a_message(city, client_for):
    contact = make_contact(city.staff)
    client = client_for(city.staff)
    response = client.post(upload_url(contact), {"captured_at": ""})
    assert response.status_code == 400 and "ファイルを選んでください" in response.content.decode()
    response = client.post(
        upload_url(contact), {"files": [SimpleUploadedFile("a.wav", wav_bytes())], "captured_at": "2099-01-01T10:00"}
    )
    assert response.status_code == 400 and "未来" in response.content.decode()
    assert not Evidence.objects.exists()


def test_other_departments_and_the_administrator_cannot_add(city, client_for):
    contact = make_contact(city.staff)
    for user, status in ((city.zeimu_staff, 404), (city.admin, 404)):
        response = client_for(user).post(upload_url(contact), {"files": [SimpleUploadedFile("a.wav", wav_bytes())]})
        assert response.status_code == status, user
    assert not Evidence.objects.exists()


def test_the_case_page_adds_evidence_to_the_case(city, client_for):
    make_contact(city.staff, harassment="yes", categories=["verbal_abuse"])
    case = Case.objects.get(department=city.shimin)
    client = client_for(city.staff)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert reverse("evidence:case_upload", args=[case.pk]) in page
    response = client.post(
        reverse("evidence:case_upload", args=[case.pk]), {"files": [SimpleUploadedFile("p.png", PNG)]}
    )
    assert response.status_code == 200
    assert Evidence.objects.get().case == case


def test_the_contact_page_lists_what_the_user_may_see(city, client_for):
    contact = make_contact(city.staff)
    mine = add(city.staff, contact, name="職員の録音.wav")
    theirs = add(city.supervisor, contact, data=wav_bytes(sample=b"\x20\x00"), name="上司の録音.wav")
    url = reverse("records:contact_detail", args=[contact.pk])
    staff_page = client_for(city.staff).get(url).content.decode()
    assert mine.original_name in staff_page and theirs.original_name not in staff_page
    assert mine.stored_file.sha256[:12] in staff_page
    supervisor_page = client_for(city.supervisor).get(url).content.decode()
    assert mine.original_name in supervisor_page and theirs.original_name in supervisor_page


def test_the_panel_shows_nothing_to_the_administrator(city, rf):
    contact = make_contact(city.staff)
    add(city.staff, contact)
    request = rf.get("/")
    request.user = city.admin
    assert "証拠" not in str(render_panels(page="records.contact_detail", slot="main", request=request, obj=contact))
    request.user = city.staff
    assert "証拠を追加" in str(render_panels(page="records.contact_detail", slot="main", request=request, obj=contact))


def test_the_evidence_page_shows_the_facts_and_the_custody_log(city, client_for):
    contact = make_contact(city.staff)
    evidence = add(city.staff, contact)
    response = client_for(city.staff).get(reverse("evidence:evidence_detail", args=[evidence.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert evidence.stored_file.sha256 in text and "登録" in text and "目的" in text
    assert "<audio" not in text  # no player before the purpose
    assert AuditEntry.objects.filter(action="evidence.evidence.read", object_id=str(evidence.pk)).exists()


@pytest.mark.parametrize(
    "user_name, status", [("zeimu_staff", 404), ("admin", 404), ("manager", 200), ("specialist", 200)]
)
def test_who_may_see_the_evidence_page(city, client_for, user_name, status):
    evidence = add(city.staff, make_contact(city.staff))
    response = client_for(getattr(city, user_name)).get(reverse("evidence:evidence_detail", args=[evidence.pk]))
    assert response.status_code == status


def test_staff_do_not_see_what_a_colleague_uploaded(city, client_for):
    evidence = add(city.supervisor, make_contact(city.staff))
    assert client_for(city.staff).get(reverse("evidence:evidence_detail", args=[evidence.pk])).status_code == 404


def _grant(text: str) -> str:
    match = re.search(r'src="(/evidence/\d+/file/\?grant=[^"]+)"', text)
    assert match, "no player"
    return match.group(1).replace("&amp;", "&")


def test_playing_asks_the_purpose_then_the_player_seeks_with_range(city, client_for):
    data = wav_bytes(seconds=2)
    evidence = add(city.staff, make_contact(city.staff), data=data)
    client = client_for(city.staff)
    open_url = reverse("evidence:evidence_open", args=[evidence.pk])
    refused = client.post(open_url, {"kind": "played", "purpose": "  "})
    assert refused.status_code == 400 and "目的を入力してください" in refused.content.decode()
    assert not CustodyEvent.objects.filter(kind=CustodyKind.PLAYED).exists()
    # the file without a grant: refused
    assert client.get(reverse("evidence:evidence_file", args=[evidence.pk])).status_code == 403

    page = client.post(open_url, {"kind": "played", "purpose": "事案の経過確認"})
    assert page.status_code == 200 and "<audio" in page.content.decode()
    event = CustodyEvent.objects.get(kind=CustodyKind.PLAYED)
    assert event.purpose == "事案の経過確認" and event.actor == city.staff
    file_url = _grant(page.content.decode())

    whole = client.get(file_url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    assert whole["Accept-Ranges"] == "bytes"
    part = client.get(file_url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]
    tail = client.get(file_url, headers={"Range": "bytes=-10"})
    assert b"".join(tail.streaming_content) == data[-10:]
    open_ended = client.get(file_url, headers={"Range": f"bytes={len(data) - 5}-"})
    assert b"".join(open_ended.streaming_content) == data[-5:]
    beyond = client.get(file_url, headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(data)}"
    # seeking is not another purpose: one custody event for the page
    assert CustodyEvent.objects.filter(kind=CustodyKind.PLAYED).count() == 1

    # the grant is the user's own: a colleague who may see the evidence cannot use it
    assert client_for(city.manager).get(file_url).status_code == 403


def test_download_with_purpose_is_a_custody_event_and_audited(city, client_for):
    evidence = add(city.staff, make_contact(city.staff), data=PNG, name="写真.png")
    response = client_for(city.supervisor).post(
        reverse("evidence:evidence_open", args=[evidence.pk]), {"kind": "downloaded", "purpose": "警察への提出"}
    )
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert "attachment" in response["Content-Disposition"]
    assert CustodyEvent.objects.filter(kind=CustodyKind.DOWNLOADED, purpose="警察への提出").exists()
    assert AuditEntry.objects.filter(action="evidence.evidence.downloaded").exists()
    page = client_for(city.supervisor).get(reverse("evidence:evidence_detail", args=[evidence.pk])).content.decode()
    assert "警察への提出" in page and "ダウンロード" in page


def test_the_upload_still_checks_the_csrf_token(city):
    from django.test import Client

    contact = make_contact(city.staff)
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.staff)
    response = client.post(upload_url(contact), {"files": [SimpleUploadedFile("a.wav", wav_bytes())]})
    assert response.status_code == 403 and not Evidence.objects.exists()
    page = client.get(reverse("records:contact_detail", args=[contact.pk])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        upload_url(contact), {"files": [SimpleUploadedFile("a.wav", wav_bytes())], "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200 and Evidence.objects.count() == 1


def test_get_of_the_upload_address_is_refused(city, client_for):
    assert client_for(city.staff).get(upload_url(make_contact(city.staff))).status_code == 405


def test_recordings_larger_than_the_usual_upload_limit_are_taken(city, client_for, client, settings):
    """A recording is far larger than a form's upload (MAMORU_UPLOAD_MAX_BYTES); the evidence
    page and the API take up to MAMORU_EVIDENCE_MAX_BYTES, other pages still refuse with 413."""
    settings.MAMORU_UPLOAD_MAX_BYTES = 4000
    contact = make_contact(city.staff)
    big = wav_bytes(seconds=2)  # 32 KB
    staff = client_for(city.staff)
    assert staff.post(upload_url(contact), {"files": [SimpleUploadedFile("long.wav", big)]}).status_code == 200
    from accounts.services import token_issue

    _token, key = token_issue(actor=None, user=city.staff, name="録音", scope="write")
    pushed = staff.post(
        f"/api/contacts/{contact.pk}/evidence",
        {"file": SimpleUploadedFile("pushed.wav", wav_bytes(seconds=2, sample=b"\x01\x01"))},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert pushed.status_code == 201
    other = staff.post(
        reverse("cases:case_report", args=[contact.pk]), {"file": SimpleUploadedFile("x.bin", b"\x00" * 5000)}
    )
    assert other.status_code == 413
    settings.MAMORU_EVIDENCE_MAX_BYTES = 10_000
    refused = staff.post(upload_url(contact), {"files": [SimpleUploadedFile("long.wav", big)]})
    assert refused.status_code == 413 and "大きすぎます" in refused.content.decode()


def test_other_apps_add_to_the_list_and_the_evidence_page_through_their_slots(city, client_for, monkeypatch):
    from mamoru.lib import panels

    monkeypatch.setattr(panels, "_PANELS", {key: list(value) for key, value in panels._PANELS.items()})
    rendered = []

    def fake_render(template, context, request=None):
        if template == "test/marker.html":
            rendered.append(context["slot"])
            return f"<p>MARK-{context['slot']}</p>"
        return real_render(template, context, request=request)

    real_render = panels.render_to_string
    monkeypatch.setattr(panels, "render_to_string", fake_render)
    for page, slot in (
        ("evidence.evidence_list", "actions"),
        ("evidence.evidence_detail", "main"),
        ("evidence.evidence_detail", "side"),
    ):
        panels.register_panel(
            page=page,
            slot=slot,
            name=f"test.{slot}",
            template="test/marker.html",
            context=lambda request, obj, slot=slot: {"slot": slot},
        )
    contact = make_contact(city.staff)
    evidence = add(city.staff, contact)
    client = client_for(city.staff)
    assert "MARK-actions" in client.get(reverse("records:contact_detail", args=[contact.pk])).content.decode()
    page = client.get(reverse("evidence:evidence_detail", args=[evidence.pk])).content.decode()
    assert "MARK-main" in page and "MARK-side" in page


def test_a_deleted_or_purged_file_keeps_its_page_and_offers_no_player(city, client_for):
    from django.utils import timezone

    evidence = add(city.staff, make_contact(city.staff))
    StoredFile.objects.filter(pk=evidence.stored_file_id).update(purged_at=timezone.now())
    client = client_for(city.staff)
    page = client.get(reverse("evidence:evidence_detail", args=[evidence.pk])).content.decode()
    assert "削除されています" in page and "再生する" not in page
    response = client.post(reverse("evidence:evidence_open", args=[evidence.pk]), {"kind": "played", "purpose": "確認"})
    assert response.status_code == 302
    assert not CustodyEvent.objects.filter(kind=CustodyKind.PLAYED).exists()


def test_a_storage_failure_for_one_file_keeps_the_others(city, client_for, monkeypatch):
    from evidence import storage

    real_write = storage.write

    def write(*, incoming):
        if incoming.name == "broken.png":
            raise OSError("disk full")
        return real_write(incoming=incoming)

    monkeypatch.setattr(storage, "write", write)
    contact = make_contact(city.staff)
    response = client_for(city.staff).post(
        upload_url(contact),
        {"files": [SimpleUploadedFile("broken.png", PNG), SimpleUploadedFile("good.wav", wav_bytes())]},
    )
    text = response.content.decode()
    assert response.status_code == 200 and "保存先に書き込めませんでした" in text and "1 件を登録しました" in text
    assert [e.original_name for e in Evidence.objects.all()] == ["good.wav"]
    assert StoredFile.objects.count() == 1
