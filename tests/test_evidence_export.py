"""A case's evidence exported for the police or a lawyer: one streamed ZIP with the files,
manifests (CSV, JSON), SHA256SUMS that ``sha256sum -c`` accepts and a Japanese README;
the printable 証拠一覧 (A4 PDF); the hand-over to the police with its custody events."""

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import time
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts import twofactor
from audit.models import AuditEntry
from cases.models import CaseEvent
from cases.services import case_change_state, case_open_or_join
from evidence import export, selectors, services
from evidence.choices import CustodyKind
from evidence.incoming import incoming_from_stream
from evidence.models import CustodyEvent, Evidence, Handover

from .factories import make_contact
from .test_evidence_core import PNG, wav_bytes
from .test_letters import flat, pdftotext


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    root = tmp_path / "store"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


def add(actor, data, name, **where):
    return services.evidence_add(actor=actor, incoming=incoming_from_stream(io.BytesIO(data), name=name), **where)


@pytest.fixture
def case_with_evidence(city):
    """A case opened from a contact: a recording on the contact, a photo and a screenshot on the case."""
    contact = make_contact(city.staff)
    case = case_open_or_join(actor=city.staff, contact=contact, reason="report")
    recording = add(city.staff, wav_bytes(), "通話録音 2026-04-01.wav", contact=contact).evidence
    photo = add(
        city.supervisor,
        PNG,
        "カウンター/..\\写真:1?.png",
        case=case,
        captured_by_name="市民 一郎",
        captured_at=timezone.now() - dt.timedelta(days=1),
    ).evidence
    screenshot = add(city.supervisor, PNG + b"2", "=HYPERLINK(1).png", case=case, kind="screenshot").evidence
    return case, [recording, photo, screenshot]


def export_to_zip(archive) -> bytes:
    return b"".join(archive)


def test_the_export_holds_every_file_with_manifests_and_sums_that_sha256sum_accepts(city, case_with_evidence, tmp_path):
    case, (recording, photo, screenshot) = case_with_evidence
    archive = services.evidence_export(
        actor=city.supervisor, case=case, purpose="被害届の提出", recipient="大田原警察署 生活安全課"
    )
    data = export_to_zip(archive)
    assert len(data) == len(archive)  # the size is known before streaming (Content-Length)
    folder = f"case-{case.pk:06d}"
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        names = zipped.namelist()
        assert f"{folder}/files/0001_通話録音 2026-04-01.wav" in names
        # Folders and characters Windows refuses never reach a name inside the ZIP.
        assert f"{folder}/files/0002_写真_1_.png" in names
        assert zipped.read(f"{folder}/files/0001_通話録音 2026-04-01.wav") == wav_bytes()
        assert {f"{folder}/{name}" for name in ("manifest.csv", "manifest.json", "custody.csv", "SHA256SUMS")} <= set(
            names
        )
        readme = zipped.read(f"{folder}/README.txt").decode("utf-8")
        assert "sha256sum -c SHA256SUMS" in readme and "certutil -hashfile" in readme
        assert "大田原警察署" in readme and "被害届の提出" in readme
        rows = list(csv.DictReader(io.StringIO(zipped.read(f"{folder}/manifest.csv").decode("utf-8-sig"))))
        manifest = json.loads(zipped.read(f"{folder}/manifest.json"))
        zipped.extractall(tmp_path / "out")

    assert [row["SHA-256"] for row in rows] == [e.stored_file.sha256 for e in (recording, photo, screenshot)]
    assert rows[0]["ファイルの種類（内容から判定）"] == "audio/wav" and rows[1]["記録した人"] == "市民 一郎"
    assert rows[1]["登録した職員"] == "supervisor1" and rows[1]["記録日時"]
    assert rows[2]["元のファイル名"].startswith("'=")  # a spreadsheet formula stays text
    first = manifest["files"][0]
    assert first["size"] == len(wav_bytes()) and manifest["recipient"] == "大田原警察署 生活安全課"
    assert [event["kind"] for event in first["custody"]] == ["uploaded", "exported"]
    assert first["custody"][1]["purpose"] == "被害届の提出"

    sha256sum = shutil.which("sha256sum")
    assert sha256sum, "coreutils の sha256sum がありません"
    result = subprocess.run(
        [sha256sum, "-c", "SHA256SUMS"], cwd=tmp_path / "out" / folder, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == 3 + 4  # three files, the manifests and the list

    # A file changed after the export is caught by the same command.
    (tmp_path / "out" / folder / "files" / "0001_通話録音 2026-04-01.wav").write_bytes(b"changed")
    result = subprocess.run(
        [sha256sum, "-c", "SHA256SUMS"], cwd=tmp_path / "out" / folder, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0


def test_time_stamp_tokens_go_into_the_zip_beside_their_files(city, case_with_evidence, tmp_path):
    """With the timestamps stream's TimeStampToken (merged later), each granted token is a
    ``.tsr`` file in ``timestamps/``, named in the manifests and in SHA256SUMS."""
    from evidence import models

    token_model = getattr(models, "TimeStampToken", None)
    if token_model is None:
        pytest.skip("the timestamps stream's TimeStampToken is not in this tree yet")
    case, (recording, photo, screenshot) = case_with_evidence
    reply = b"0\x82\x01\x00 the TSA's reply"
    token_model.objects.create(
        stored_file=recording.stored_file,
        status="granted",
        tsa_url="http://127.0.0.1/tsa",
        requested_at=timezone.now(),
        gen_time=timezone.now(),
        serial="257",
        response=reply,
    )
    token_model.objects.create(
        stored_file=photo.stored_file, status="failed", tsa_url="http://127.0.0.1/tsa", requested_at=timezone.now()
    )
    data = export_to_zip(services.evidence_export(actor=city.supervisor, case=case, purpose="提出"))
    folder = f"case-{case.pk:06d}"
    name = f"timestamps/0001_{recording.stored_file.sha256}.tsr"
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert zipped.read(f"{folder}/{name}") == reply
        assert [n for n in zipped.namelist() if "/timestamps/" in n] == [f"{folder}/{name}"]
        manifest = json.loads(zipped.read(f"{folder}/manifest.json"))
        assert name in zipped.read(f"{folder}/SHA256SUMS").decode()
        assert "openssl ts -verify" in zipped.read(f"{folder}/README.txt").decode()
    assert manifest["files"][0]["timestamps"][0]["file"] == name and manifest["files"][1]["timestamps"] == []


def test_without_tokens_the_readme_says_nothing_of_them(city, case_with_evidence):
    case, _ = case_with_evidence
    data = export_to_zip(services.evidence_export(actor=city.supervisor, case=case, purpose="提出"))
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert "openssl" not in zipped.read(f"case-{case.pk:06d}/README.txt").decode()
        assert not [n for n in zipped.namelist() if "/timestamps/" in n]


def test_each_file_exported_is_a_custody_event_and_the_export_is_audited(city, case_with_evidence):
    case, evidence = case_with_evidence
    export_to_zip(services.evidence_export(actor=city.specialist, case=case, purpose="弁護士への相談"))
    events = CustodyEvent.objects.filter(kind=CustodyKind.EXPORTED)
    assert sorted(e.evidence_id for e in events) == sorted(e.pk for e in evidence)
    assert {e.purpose for e in events} == {"弁護士への相談"} and {e.actor for e in events} == {city.specialist}
    entry = AuditEntry.objects.get(action="evidence.case.exported", object_id=str(case.pk))
    assert entry.after["purpose"] == "弁護士への相談" and sorted(entry.after["files"]) == sorted(e.pk for e in evidence)


def test_a_deleted_or_purged_file_is_listed_as_deleted_not_silently_skipped(city, case_with_evidence):
    case, (recording, photo, screenshot) = case_with_evidence
    Evidence.objects.filter(pk=photo.pk).update(deleted_at=timezone.now(), deletion_reason="誤登録")
    screenshot.stored_file.purged_at = timezone.now()
    screenshot.stored_file.save(update_fields=["purged_at"])
    data = export_to_zip(services.evidence_export(actor=city.supervisor, case=case, purpose="提出"))
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        files = [name for name in zipped.namelist() if "/files/" in name]
        manifest = json.loads(zipped.read(f"case-{case.pk:06d}/manifest.json"))
        sums = zipped.read(f"case-{case.pk:06d}/SHA256SUMS").decode()
    assert len(files) == 1
    statuses = [row["status"] for row in manifest["files"]]
    assert statuses == ["収録", "削除済み", "ファイル消去済み（保存期間の満了）"]
    assert photo.stored_file.sha256 not in sums and manifest["files"][1]["file"] == ""
    assert not CustodyEvent.objects.filter(kind=CustodyKind.EXPORTED, evidence=photo).exists()


def test_who_may_export(city, case_with_evidence):
    case, _ = case_with_evidence
    for user in (city.staff, city.zeimu_staff, city.admin):
        with pytest.raises(PermissionDenied):
            services.evidence_export(actor=user, case=case, purpose="提出")
        with pytest.raises(PermissionDenied):
            services.evidence_list_pdf(actor=user, case=case)
    with pytest.raises(ValidationError) as error:
        services.evidence_export(actor=city.manager, case=case, purpose="  ")
    assert "目的" in str(error.value)
    assert not CustodyEvent.objects.filter(kind=CustodyKind.EXPORTED).exists()


def test_a_case_without_evidence_says_so(city):
    case = case_open_or_join(actor=city.staff, contact=make_contact(city.staff), reason="report")
    with pytest.raises(ValidationError, match="書き出せる証拠がありません"):
        services.evidence_export(actor=city.supervisor, case=case, purpose="提出")


def test_the_export_reads_files_in_chunks_not_whole(city, case_with_evidence, monkeypatch):
    case, _ = case_with_evidence
    monkeypatch.setattr(export, "CHUNK_SIZE", 1000)
    reads = []
    opened = export.storage.open_stored

    class Spy:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def read(self, size=-1):
            reads.append(size)
            return self.handle.read(size)

    monkeypatch.setattr(export.storage, "open_stored", lambda name: Spy(opened(name)))
    archive = services.evidence_export(actor=city.supervisor, case=case, purpose="提出")
    assert not reads  # nothing is read before the stream is consumed
    chunks = iter(archive)
    next(chunks)
    assert len(reads) <= 1
    rest = b"".join(chunks)
    assert rest and reads and all(size == 1000 for size in reads)  # never a whole-file read
    assert len(reads) >= len(wav_bytes()) // 1000  # the recording took several reads


def test_safe_names_are_numbered_and_keep_the_extension():
    assert export.safe_arcname(1, "a/b\\c.wav") == "0001_a_b_c.wav"
    assert export.safe_arcname(12, "録音", "mp3") == "0012_録音.mp3"
    assert export.safe_arcname(3, "...") == "0003_file"
    long = export.safe_arcname(4, "あ" * 300 + ".m4a")
    assert long.endswith(".m4a") and len(long) <= 4 + 1 + 120


def test_the_evidence_list_pdf_has_one_line_per_file(city, case_with_evidence, tmp_path):
    case, (recording, photo, screenshot) = case_with_evidence
    Evidence.objects.filter(pk=photo.pk).update(deleted_at=timezone.now())
    content = services.evidence_list_pdf(actor=city.manager, case=case)
    assert content.startswith(b"%PDF")
    text = pdftotext(content, tmp_path)
    assert "証拠一覧" in text and f"事案 No.{case.pk:06d}" in text
    lines = text.splitlines()
    for number, piece in enumerate((recording, photo, screenshot), start=1):
        line = next(line for line in lines if piece.stored_file.sha256 in line)
        assert line.split()[0] == str(number)
        assert f"{piece.stored_file.size:,}" in line
    assert "録音" in text and "写真" in text and "通話録音" in flat(text)
    assert "削除済み" in text and "supervisor1" in text and "市民 一郎" in text
    assert AuditEntry.objects.filter(action="evidence.case.listed", object_id=str(case.pk)).exists()


def test_the_list_of_many_files_runs_over_pages(city, tmp_path):
    contact = make_contact(city.staff)
    case = case_open_or_join(actor=city.staff, contact=contact, reason="report")
    for index in range(40):
        add(city.staff, PNG + str(index).encode(), f"写真{index:02d}.png", contact=contact)
    text = pdftotext(services.evidence_list_pdf(actor=city.supervisor, case=case), tmp_path)
    pages = re.findall(r"-\s*(\d+)\s*/\s*(\d+)\s*-", text)
    assert len(pages) >= 2 and pages[-1][0] == pages[-1][1] == str(len(pages))
    assert text.count("番号") >= 2  # the header on every page
    assert "写真39.png" in text


def test_the_command_streams_the_zip_to_a_file(city, case_with_evidence, tmp_path):
    case, evidence = case_with_evidence
    out = io.StringIO()
    target = tmp_path / "export.zip"
    call_command(
        "evidence_export",
        case=case.pk,
        output=str(target),
        user="manager1",
        recipient="大田原警察署",
        stdout=out,
    )
    assert "3 件" in out.getvalue()
    with zipfile.ZipFile(target) as zipped:
        assert zipped.testzip() is None
        assert len([name for name in zipped.namelist() if "/files/" in name]) == 3
    assert not (tmp_path / "export.zip.part").exists()
    assert CustodyEvent.objects.filter(kind=CustodyKind.EXPORTED, actor=city.manager).count() == 3

    with pytest.raises(CommandError, match="既にあります"):
        call_command("evidence_export", case=case.pk, output=str(target), user="manager1")
    with pytest.raises(CommandError, match="権限"):
        call_command("evidence_export", case=case.pk, output=str(tmp_path / "b.zip"), user="staff1")
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("evidence_export", case=999999, output=str(tmp_path / "c.zip"), user="manager1")
    assert not (tmp_path / "b.zip").exists()
    pdf = tmp_path / "list.pdf"
    call_command("evidence_export", case=case.pk, list_pdf=str(pdf), user="manager1", stdout=out)
    assert pdf.read_bytes().startswith(b"%PDF")


# --- hand-over to the police ---


def test_a_hand_over_records_officer_station_reference_and_the_files(city, case_with_evidence):
    case, (recording, photo, screenshot) = case_with_evidence
    handover = services.evidence_handover_record(
        actor=city.supervisor,
        case=case,
        officer="警察 太郎",
        officer_rank="巡査部長",
        station="大田原警察署",
        reference="R8-0123",
        handed_on=timezone.localdate(),
        evidence_ids=[recording.pk, str(photo.pk)],
        note="USB メモリで提出",
    )
    assert set(handover.evidence.all()) == {recording, photo} and handover.officer_label == "巡査部長 警察 太郎"
    events = CustodyEvent.objects.filter(kind=CustodyKind.HANDED_OVER)
    assert sorted(e.evidence_id for e in events) == sorted([recording.pk, photo.pk])
    assert events[0].detail["reference"] == "R8-0123" and events[0].detail["station"] == "大田原警察署"
    assert AuditEntry.objects.filter(action="evidence.case.handed_over", object_id=str(case.pk)).exists()
    step = CaseEvent.objects.get(case=case, kind="evidence_to_police")
    assert step.details == {"station": "大田原警察署", "officer": "巡査部長 警察 太郎", "reference": "R8-0123"}
    assert "証拠 2 件" in step.note and "通話録音" in step.note
    assert list(selectors.handover_list(user=city.specialist, case=case)) == [handover]
    assert list(selectors.handover_list(user=city.staff, evidence=recording)) == [handover]
    assert not selectors.handover_list(user=city.staff, case=case).exists()
    assert not selectors.handover_list(user=city.zeimu_staff, evidence=recording).exists()


def test_a_hand_over_needs_the_officer_station_date_and_files_of_this_case(city, case_with_evidence):
    case, (recording, photo, screenshot) = case_with_evidence
    other = add(city.staff, PNG + b"other", "other.png", contact=make_contact(city.staff)).evidence
    good = dict(
        actor=city.supervisor,
        case=case,
        officer="警察 太郎",
        station="大田原警察署",
        reference="",
        handed_on=timezone.localdate(),
        evidence_ids=[recording.pk],
    )
    cases = [
        ({"officer": " "}, "警察官"),
        ({"station": ""}, "警察署名"),
        ({"handed_on": timezone.localdate() + dt.timedelta(days=2)}, "未来"),
        ({"evidence_ids": []}, "1件以上"),
        ({"evidence_ids": ["x"]}, "誤り"),
        ({"evidence_ids": [other.pk]}, "この事案の証拠ではない"),
    ]
    for change, message in cases:
        with pytest.raises(ValidationError) as error:
            services.evidence_handover_record(**{**good, **change})
        assert message in str(error.value), change
    Evidence.objects.filter(pk=photo.pk).update(deleted_at=timezone.now())
    with pytest.raises(ValidationError, match="削除済み"):
        services.evidence_handover_record(**{**good, "evidence_ids": [photo.pk]})
    for user in (city.staff, city.zeimu_staff, city.admin):
        with pytest.raises(PermissionDenied):
            services.evidence_handover_record(**{**good, "actor": user})
    assert not Handover.objects.exists() and not CustodyEvent.objects.filter(kind=CustodyKind.HANDED_OVER).exists()


def test_a_hand_over_after_the_case_closed_is_recorded_without_a_timeline_entry(city, case_with_evidence):
    case, (recording, *_) = case_with_evidence
    from mamoru.policy.loader import current

    states = [state.code for state in current().case_states]
    for state in states[1:]:
        case_change_state(actor=city.manager, case=case, state=state, reason="終結")
        case.refresh_from_db()
    assert case.is_closed
    handover = services.evidence_handover_record(
        actor=city.manager,
        case=case,
        officer="警察 太郎",
        station="大田原警察署",
        reference="",
        handed_on=timezone.localdate() - dt.timedelta(days=3),
        evidence_ids=[recording.pk],
    )
    assert handover.pk and not CaseEvent.objects.filter(case=case, kind="evidence_to_police").exists()


# --- the pages ---


def test_the_export_page_asks_the_purpose_then_streams_the_zip(city, case_with_evidence, client_for):
    case, evidence = case_with_evidence
    client = client_for(city.supervisor)
    url = f"/evidence/case/{case.pk}/export/"
    page = client.get(url)
    assert page.status_code == 200 and "書き出しの目的" in page.text and "通話録音" in page.text
    refused = client.post(url, {"purpose": ""})
    assert refused.status_code == 400 and "書き出しの目的を入力してください" in refused.text
    assert not CustodyEvent.objects.filter(kind=CustodyKind.EXPORTED).exists()
    response = client.post(url, {"purpose": "被害届の提出", "recipient": "大田原警察署"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip" and "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        assert len([name for name in zipped.namelist() if "/files/" in name]) == 3
    assert CustodyEvent.objects.filter(kind=CustodyKind.EXPORTED).count() == 3


def test_the_export_asks_for_a_second_sign_in_when_the_last_is_old(city, case_with_evidence, client_for):
    case, _ = case_with_evidence
    client = client_for(city.supervisor)
    session = client.session
    session[twofactor.SIGNED_IN_AT] = time.time() - 60 * 60
    session.save()
    for url in (f"/evidence/case/{case.pk}/export/", f"/evidence/case/{case.pk}/list.pdf"):
        response = client.get(url)
        assert response.status_code == 302 and "reauthenticate" in response["Location"], url
    response = client.post(f"/evidence/case/{case.pk}/export/", {"purpose": "提出"})
    assert response.status_code == 302
    assert not CustodyEvent.objects.filter(kind=CustodyKind.EXPORTED).exists()


def test_the_list_pdf_page(city, case_with_evidence, client_for):
    case, _ = case_with_evidence
    client = client_for(city.specialist)
    response = client.get(f"/evidence/case/{case.pk}/list.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_hand_over_page_records_and_the_pages_show_it(city, case_with_evidence, client_for, rf):
    from mamoru.lib.panels import render_panels

    case, (recording, photo, screenshot) = case_with_evidence
    client = client_for(city.manager)
    url = f"/evidence/case/{case.pk}/handover/"
    page = client.get(url)
    assert page.status_code == 200 and "受理番号" in page.text and "通話録音" in page.text
    refused = client.post(url, {"officer": "警察 太郎", "station": "", "handed_on": "2026-01-05"})
    assert refused.status_code == 400 and "提出した証拠を1件以上選んでください" in refused.text
    assert "警察署名を入力してください" in refused.text
    response = client.post(
        url,
        {
            "officer": "警察 太郎",
            "officer_rank": "巡査部長",
            "station": "大田原警察署",
            "reference": "R8-0123",
            "handed_on": timezone.localdate().isoformat(),
            "evidence": [recording.pk, photo.pk],
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    detail = client.get(response["Location"])
    assert "警察への証拠の提出" not in detail.text  # the panel lists it
    assert "R8-0123" in detail.text and "巡査部長 警察 太郎" in detail.text
    assert "証拠を書き出す（ZIP）" in detail.text
    # The member of staff sees the case but neither the panel nor the pages.
    client = client_for(city.staff)
    assert "証拠を書き出す（ZIP）" not in client.get(f"/cases/{case.pk}/").text
    assert client.get(url).status_code == 403
    # The evidence page's side: where this file went.
    request = rf.get("/")
    request.user = city.staff
    side = render_panels(page="evidence.evidence_detail", slot="side", request=request, obj=recording)
    assert "大田原警察署" in side and "R8-0123" in side
    request.user = city.specialist  # sees the screenshot, which was not handed over
    assert "大田原警察署" not in render_panels(
        page="evidence.evidence_detail", slot="side", request=request, obj=screenshot
    )
