"""Serving a file's bytes with HTTP Range (RFC 9110 §14), so that an audio or
video player can jump to any point of a long recording without the whole file
being sent first. One range per request (what players ask for)."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``(first, last)`` byte positions (inclusive) asked for, ``None`` for the whole file
    (no header, or one this server does not answer: several ranges, another unit)."""
    match = _RANGE.match((header or "").strip())
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(size - length, 0), size - 1
    start = int(first)
    if start >= size:
        raise Unsatisfiable
    end = min(int(last), size - 1) if last else size - 1
    if end < start:
        return None  # an invalid range is ignored (the whole file)
    return start, end


def _read(handle, start: int, length: int):
    try:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


def ranged_response(request, handle, *, size: int, content_type: str, filename: str = "", attachment: bool = False):
    """A streaming response of ``handle``'s bytes: all of them (200) or the range the
    request asks for (206), or 416 for a range past the end."""
    try:
        asked = parse_range(request.headers.get("Range", ""), size)
    except Unsatisfiable:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = asked if asked is not None else (0, size - 1)
    length = max(end - start + 1, 0)
    response = StreamingHttpResponse(_read(handle, start, length), content_type=content_type)
    if asked is not None:
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if filename:
        disposition = "attachment" if attachment else "inline"
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
