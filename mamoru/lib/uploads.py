"""Views that take large files, registered by the app that owns them (in its
``AppConfig.ready()``) so that the request middleware, which runs before any view,
treats their bodies as they need: a larger size limit than ``MAMORU_UPLOAD_MAX_BYTES``
and upload handlers set before the body is first read (evidence hashes each file as
it arrives). Keyed by the URL's view name (``namespace:name``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LargeUpload:
    max_bytes: Callable[[], int]
    handlers: Callable[[object], list] | None = None


_UPLOADS: dict[str, LargeUpload] = {}


def register_upload(view_name: str, *, max_bytes: Callable[[], int], handlers=None) -> None:
    _UPLOADS[view_name] = LargeUpload(max_bytes=max_bytes, handlers=handlers)


def upload_for(view_name: str) -> LargeUpload | None:
    return _UPLOADS.get(view_name)
