"""Evidence bytes on local files and on a real S3-compatible server (SeaweedFS on
loopback, tests/s3_server.py): the same services, the same results. Uploads stream
in parts; a failure after the bytes were written leaves no orphan object."""

import hashlib
import io
import os

import pytest
from django.db import IntegrityError

from evidence import services, storage
from evidence.choices import CustodyKind
from evidence.incoming import incoming_from_stream
from evidence.models import CustodyEvent, Evidence, StoredFile
from evidence.retention import retention_run

from .factories import make_contact
from .test_evidence_core import PNG, wav_bytes


def incoming(data: bytes, name: str):
    return incoming_from_stream(io.BytesIO(data), name=name)


def test_add_duplicate_open_and_purge(city, evidence_storage):
    kind, names = evidence_storage
    contact = make_contact(city.staff)
    data = wav_bytes(seconds=2)
    first = services.evidence_add(actor=city.staff, incoming=incoming(data, "通話.wav"), contact=contact).evidence
    sha = hashlib.sha256(data).hexdigest()
    assert names() == [f"sha256/{sha[:2]}/{sha[2:4]}/{sha}"]

    again = services.evidence_add(actor=city.supervisor, incoming=incoming(data, "copy.wav"), contact=contact)
    assert again.duplicate_of == first and StoredFile.objects.count() == 1 and len(names()) == 1

    with services.evidence_open(
        actor=city.supervisor, evidence=first, kind=CustodyKind.DOWNLOADED, purpose="警察への提出"
    ) as handle:
        chunks = list(iter(lambda: handle.read(4096), b""))
    assert b"".join(chunks) == data and len(chunks) > 1  # read in pieces, not at once

    stored = first.stored_file
    Evidence.objects.update(deleted_at=first.uploaded_at)
    report = retention_run()
    assert report.purged == [stored] and names() == []
    stored.refresh_from_db()
    assert stored.purged_at is not None


def test_a_file_larger_than_one_part_is_stored_whole(city, evidence_storage):
    kind, names = evidence_storage
    data = wav_bytes(seconds=1) + os.urandom(20 * 1024 * 1024)  # over the 8 MB part size: a multipart upload
    evidence = services.evidence_add(
        actor=city.staff, incoming=incoming(data, "長い録音.wav"), contact=make_contact(city.staff)
    ).evidence
    with storage.open_stored(evidence.stored_file.storage_name) as handle:
        digest = hashlib.sha256()
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    assert digest.hexdigest() == evidence.stored_file.sha256


def test_a_failure_after_the_bytes_were_stored_leaves_no_orphan(city, evidence_storage, monkeypatch):
    kind, names = evidence_storage
    contact = make_contact(city.staff)

    def broken(**kwargs):
        raise IntegrityError("database went away")

    monkeypatch.setattr(services, "custody_record", broken)
    with pytest.raises(IntegrityError):
        services.evidence_add(actor=city.staff, incoming=incoming(PNG, "a.png"), contact=contact)
    assert names() == [] and not StoredFile.objects.exists() and not Evidence.objects.exists()


def test_a_failed_duplicate_keeps_the_bytes_the_first_upload_needs(city, evidence_storage, monkeypatch):
    kind, names = evidence_storage
    contact = make_contact(city.staff)
    services.evidence_add(actor=city.staff, incoming=incoming(PNG, "a.png"), contact=contact)

    def broken(**kwargs):
        raise IntegrityError("database went away")

    monkeypatch.setattr(services, "custody_record", broken)
    with pytest.raises(IntegrityError):
        services.evidence_add(actor=city.staff, incoming=incoming(PNG, "b.png"), contact=contact)
    assert len(names()) == 1 and Evidence.objects.count() == 1


def test_an_orphan_left_by_a_killed_process_is_removed_after_the_grace_period(city, evidence_storage):
    """A process killed between writing the bytes and its row: no row names them."""
    import datetime as dt

    from django.utils import timezone

    kind, names = evidence_storage
    orphan = incoming(b"GIF89a" + b"\x00" * 100, "x.gif")
    storage.store(incoming=orphan)
    assert len(names()) == 1
    assert retention_run().orphans == [] and len(names()) == 1  # within the grace period: an upload in flight
    later = timezone.now() + dt.timedelta(hours=25)
    assert retention_run(dry_run=True, now=later).orphans == [storage.storage_name(orphan.sha256)]
    assert len(names()) == 1
    assert retention_run(now=later).orphans == [storage.storage_name(orphan.sha256)]
    assert names() == []


def test_bytes_cut_off_on_disk_are_written_again(city, evidence_storage):
    kind, names = evidence_storage
    data = wav_bytes()
    sha = hashlib.sha256(data).hexdigest()
    evidence_storage_backend = storage.evidence_storage()
    from django.core.files.base import ContentFile

    evidence_storage_backend.save(storage.storage_name(sha), ContentFile(data[:100]))
    evidence = services.evidence_add(
        actor=city.staff, incoming=incoming(data, "a.wav"), contact=make_contact(city.staff)
    ).evidence
    with storage.open_stored(evidence.stored_file.storage_name) as handle:
        assert handle.read() == data


def test_bytes_purged_by_retention_come_back_with_a_new_upload(city, evidence_storage):
    kind, names = evidence_storage
    contact = make_contact(city.staff)
    first = services.evidence_add(actor=city.staff, incoming=incoming(PNG, "a.png"), contact=contact).evidence
    Evidence.objects.update(deleted_at=first.uploaded_at)
    retention_run()
    assert names() == []
    again = services.evidence_add(actor=city.staff, incoming=incoming(PNG, "a.png"), contact=contact).evidence
    assert again.stored_file_id == first.stored_file_id and not again.stored_file.is_purged
    assert len(names()) == 1
    assert CustodyEvent.objects.filter(evidence=again).exists()
