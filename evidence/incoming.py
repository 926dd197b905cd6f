"""A file on its way in, hashed while it streams: from a browser upload, the
API, or a file on disk (``evidence-add``, ``evidence-import``).

The SHA-256 is computed chunk by chunk as the bytes arrive (never after reading
the whole file into memory), and the bytes wait in a temporary file on disk
until the service has decided to keep them."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler

CHUNK = 1024 * 1024
HEAD_BYTES = 8192  # enough for every signature the type detection reads


@dataclass
class IncomingFile:
    """A file received completely: where its bytes wait, its name as given, its size,
    its SHA-256 and its first bytes (for the type detection)."""

    path: Path
    name: str
    size: int
    sha256: str
    head: bytes

    def chunks(self):
        with open(self.path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk


class TooLarge(Exception):
    pass


def incoming_from_path(path: Path, *, name: str | None = None) -> IncomingFile:
    """A file on disk, read in chunks (its own path: it is not copied)."""
    digest, size, head = hashlib.sha256(), 0, b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            digest.update(chunk)
            size += len(chunk)
    return IncomingFile(path=Path(path), name=name or Path(path).name, size=size, sha256=digest.hexdigest(), head=head)


def incoming_from_stream(stream, *, name: str, limit: int | None = None) -> IncomingFile:
    """A stream (an API body) copied to a temporary file while it is hashed; over
    ``limit`` bytes raises ``TooLarge`` and nothing is kept."""
    limit = settings.MAMORU_EVIDENCE_MAX_BYTES if limit is None else limit
    digest, size, head = hashlib.sha256(), 0, b""
    handle = tempfile.NamedTemporaryFile(prefix="mamoru-evidence-", delete=False)
    try:
        with handle:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(size)
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        os.unlink(handle.name)
        raise
    return IncomingFile(path=Path(handle.name), name=name, size=size, sha256=digest.hexdigest(), head=head)


def discard(incoming: IncomingFile) -> None:
    """Remove the temporary copy (never a file given by path from elsewhere)."""
    if str(incoming.path).startswith(tempfile.gettempdir()) and Path(incoming.path).name.startswith("mamoru-evidence-"):
        Path(incoming.path).unlink(missing_ok=True)


class HashingUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file upload handler that also hashes each chunk as it
    arrives and stops an upload over ``MAMORU_EVIDENCE_MAX_BYTES`` (nothing kept).
    The finished file carries ``sha256``, ``head`` and ``size``."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.receiving = True
        self.digest = hashlib.sha256()
        self.received = 0
        self.head = b""

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAMORU_EVIDENCE_MAX_BYTES:
            self.file.close()
            raise StopUpload(connection_reset=True)
        if len(self.head) < HEAD_BYTES:
            self.head += raw_data[: HEAD_BYTES - len(self.head)]
        self.digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        self.receiving = False
        file = super().file_complete(file_size)
        if file is not None:
            file.sha256 = self.digest.hexdigest()
            file.head = self.head
        return file

    def discard_partial(self):
        """Remove a file whose body never finished arriving: the client dropped the connection
        (a WSGI server hands Django what arrived, and the parser stops with an error that no
        handler hears of). ``mamoru.middleware`` calls it when reading the body failed."""
        if getattr(self, "receiving", False):
            self.receiving = False
            self.upload_interrupted()

    def upload_complete(self):
        self.discard_partial()


def incoming_from_upload(upload) -> IncomingFile:
    """A file the ``HashingUploadHandler`` received (moved out of Django's temporary file,
    which Django deletes at the end of the request)."""
    handle = tempfile.NamedTemporaryFile(prefix="mamoru-evidence-", delete=False)
    handle.close()
    shutil.move(upload.temporary_file_path(), handle.name)
    return IncomingFile(
        path=Path(handle.name), name=upload.name, size=upload.size, sha256=upload.sha256, head=upload.head
    )
