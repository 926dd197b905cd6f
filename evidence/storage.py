"""Where evidence bytes are kept: Django's ``STORAGES["evidence"]`` — local files
by default (``MAMORU_EVIDENCE_ROOT``), S3-compatible object storage in production
through django-storages (``MAMORU_EVIDENCE_S3_*``; docs/evidence.md).

Names are content addresses, ``sha256/ab/cd/<sha256>``: the same bytes are stored
once, and a name says what its bytes must hash to."""

from __future__ import annotations

from django.core.files import File
from django.core.files.storage import storages


def evidence_storage():
    return storages["evidence"]


def storage_name(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def store(*, incoming) -> str:
    """Write the incoming file's bytes under their content address (streamed in chunks);
    nothing is written when they are there already. Returns the name."""
    storage, name = evidence_storage(), storage_name(incoming.sha256)
    if not storage.exists(name):
        with open(incoming.path, "rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:  # a storage that renamed it would break the content address
            storage.delete(saved)
            raise RuntimeError(f"evidence storage stored {name} as {saved}")
    return name


def open_stored(name: str):
    return evidence_storage().open(name, "rb")


def purge(name: str) -> None:
    evidence_storage().delete(name)
