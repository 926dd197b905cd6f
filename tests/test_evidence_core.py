"""Evidence at its core: a file hashed as it streams, its type read from its content,
stored once by SHA-256, attached to a contact, and every read a custody event."""

import hashlib
import io
import wave

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from audit.models import AuditEntry
from evidence import selectors, services
from evidence.choices import CustodyKind, EvidenceKind
from evidence.incoming import incoming_from_path, incoming_from_stream
from evidence.models import CustodyEvent, Evidence, StoredFile

from .factories import make_contact

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x10\x00" * int(seconds * rate))
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def incoming(data: bytes, name: str):
    return incoming_from_stream(io.BytesIO(data), name=name)


def test_a_recording_is_hashed_stored_once_and_its_upload_is_a_custody_event(city, evidence_root):
    contact = make_contact(city.staff)
    data = wav_bytes()
    added = services.evidence_add(actor=city.staff, incoming=incoming(data, "通話録音.wav"), contact=contact)
    evidence = added.evidence
    assert evidence.kind == EvidenceKind.RECORDING and evidence.department == city.shimin
    assert evidence.stored_file.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.stored_file.content_type == "audio/wav" and evidence.stored_file.size == len(data)
    stored = evidence_root / evidence.stored_file.storage_name
    assert stored.read_bytes() == data
    event = CustodyEvent.objects.get(evidence=evidence)
    assert event.kind == CustodyKind.UPLOADED and event.actor == city.staff
    assert AuditEntry.objects.filter(action="evidence.evidence.added", object_id=str(evidence.pk)).exists()

    again = services.evidence_add(actor=city.supervisor, incoming=incoming(data, "copy.wav"), contact=contact)
    assert again.duplicate_of == evidence and "既に証拠として登録" in again.note
    assert StoredFile.objects.count() == 1 and Evidence.objects.count() == 2
    assert CustodyEvent.objects.filter(kind=CustodyKind.DUPLICATE_UPLOADED).count() == 1


def test_the_content_decides_the_type_not_the_name(city):
    contact = make_contact(city.staff)
    added = services.evidence_add(actor=city.staff, incoming=incoming(PNG, "screen.jpg"), contact=contact)
    assert added.evidence.stored_file.extension == "png" and "内容は PNG" in added.note


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.wav", "空のファイル"),
        (b"PK\x03\x04" + b"\x00" * 40, "evidence.zip", "圧縮ファイル"),
        (b"\x7fELF" + b"\x00" * 40, "recording.wav", "判定できませんでした"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_kept(city, evidence_root, data, name, message):
    contact = make_contact(city.staff)
    with pytest.raises(ValidationError) as error:
        services.evidence_add(actor=city.staff, incoming=incoming(data, name), contact=contact)
    assert message in str(error.value)
    assert not Evidence.objects.exists() and not StoredFile.objects.exists()
    assert not any(path.is_file() for path in evidence_root.rglob("*"))


def test_a_name_with_folders_or_control_characters_is_kept_as_its_own_name(city):
    contact = make_contact(city.staff)
    added = services.evidence_add(actor=city.staff, incoming=incoming(PNG, "../../etc/\x1bpass.png"), contact=contact)
    assert added.evidence.original_name == "pass.png"


def test_a_file_given_by_path_is_not_removed(city, tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(PNG)
    services.evidence_add(actor=city.staff, incoming=incoming_from_path(path), contact=make_contact(city.staff))
    assert path.exists()


def test_who_sees_evidence(city):
    contact = make_contact(city.staff)
    evidence = services.evidence_add(actor=city.staff, incoming=incoming(PNG, "a.png"), contact=contact).evidence
    colleague = type(city.staff).objects.create(username="staff3", role="staff", department=city.shimin)
    for user in (city.staff, city.supervisor, city.manager, city.specialist):
        assert selectors.evidence_get(user=user, pk=evidence.pk) == evidence
    for user in (colleague, city.zeimu_staff, city.admin):
        with pytest.raises(Http404):
            selectors.evidence_get(user=user, pk=evidence.pk)
        assert not selectors.evidence_for(user=user, contact=contact).exists()
    with pytest.raises(PermissionDenied):
        services.evidence_add(actor=city.zeimu_staff, incoming=incoming(PNG, "b.png"), contact=contact)


def test_playing_asks_for_the_purpose_and_is_recorded(city):
    contact = make_contact(city.staff)
    data = wav_bytes()
    evidence = services.evidence_add(actor=city.staff, incoming=incoming(data, "a.wav"), contact=contact).evidence
    with pytest.raises(ValidationError):
        services.evidence_open(actor=city.supervisor, evidence=evidence, kind=CustodyKind.PLAYED, purpose=" ")
    with services.evidence_open(
        actor=city.supervisor, evidence=evidence, kind=CustodyKind.PLAYED, purpose="事実確認のため"
    ) as handle:
        assert handle.read() == data
    played = CustodyEvent.objects.get(kind=CustodyKind.PLAYED)
    assert played.actor == city.supervisor and played.purpose == "事実確認のため"
    with pytest.raises(PermissionDenied):
        services.evidence_open(actor=city.admin, evidence=evidence, kind=CustodyKind.DOWNLOADED, purpose="確認")


def test_a_disclosure_request_collects_the_residents_evidence_and_transcripts(city):
    from evidence.transcript_formats import Segment
    from evidence.transcript_services import transcript_save
    from people.hooks import resident_data_held

    from .factories import make_resident

    resident = make_resident(city.staff)
    contact = make_contact(city.staff, resident=resident)
    make_contact(city.staff)  # another resident's contact: not collected
    recording = services.evidence_add(
        actor=city.staff, incoming=incoming(wav_bytes(), "窓口録音.wav"), contact=contact
    ).evidence
    transcript_save(
        actor=city.supervisor,
        evidence=recording,
        segments=[Segment(start=65, end=70, speaker="住民等", text="税金泥棒と言った")],
    )
    answers = resident_data_held.collect(actor=city.specialist, resident=resident)
    every = [s for answer in answers for s in (answer if isinstance(answer, list) else [answer])]
    sections = [s for s in every if s["key"] == "evidence.evidence"]
    assert len(sections) == 1 and len(sections[0]["items"]) == 1
    fields = {f["label"]: f for f in sections[0]["items"][0]["fields"]}
    assert fields["ファイル名"]["value"] == "窓口録音.wav"
    assert fields["SHA-256"]["value"] == recording.stored_file.sha256
    assert fields["登録した職員"]["kind"] == "staff"
    assert fields["発言 00:01:05 住民等"]["value"] == "税金泥棒と言った"
