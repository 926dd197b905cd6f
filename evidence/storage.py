"""Where evidence bytes are kept: Django's ``STORAGES["evidence"]`` — local files
by default (``MAMORU_EVIDENCE_ROOT``), S3-compatible object storage in production
through django-storages (``MAMORU_EVIDENCE_S3_*``; docs/evidence.md).

Names are content addresses, ``sha256/ab/cd/<sha256>``: the same bytes are stored
once, and a name says what its bytes must hash to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.files import File
from django.core.files.storage import storages


def evidence_storage():
    return storages["evidence"]


def storage_name(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def store(*, incoming) -> str:
    """Write the incoming file's bytes under their content address; returns the name."""
    return write(incoming=incoming)[0]


def write(*, incoming) -> tuple[str, bool]:
    """Write the incoming file's bytes under their content address (streamed in chunks:
    S3 in multipart parts); nothing is written when they are there already, whole.
    Returns the name and whether this call wrote the bytes.

    Bytes under the name but of another size (a write cut off by a crash on local
    disk; S3 shows an object only once its upload completes) are written again."""
    storage, name = evidence_storage(), storage_name(incoming.sha256)
    if storage.exists(name):
        if storage.size(name) == incoming.size:
            return name, False
        storage.delete(name)
    with open(incoming.path, "rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    if saved != name:  # a storage that renamed it would break the content address
        storage.delete(saved)
        raise RuntimeError(f"evidence storage stored {name} as {saved}")
    return name, True


def is_stored(name: str) -> bool:
    return evidence_storage().exists(name)


def open_stored(name: str):
    return evidence_storage().open(name, "rb")


def purge(name: str) -> None:
    """Delete the bytes (retention); deleting what is already gone is no error."""
    evidence_storage().delete(name)


def stored_names():
    """Every name under ``sha256/`` with when it was written: ``(name, modified)``,
    one listing request per thousand objects on S3 (never one per folder)."""
    storage = evidence_storage()
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:  # django-storages' S3Storage
        location = storage.location.strip("/")
        prefix = f"{location}/sha256/" if location else "sha256/"
        for item in bucket.objects.filter(Prefix=prefix):
            yield item.key[len(location) + 1 :] if location else item.key, item.last_modified
        return
    root = Path(storage.location) / "sha256"
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
            yield path.relative_to(storage.location).as_posix(), modified
