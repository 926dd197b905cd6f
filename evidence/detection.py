"""What a file really is, from its content (``puremagic``), not from its name.

Evidence accepts recordings, videos, photos, screenshots, PDFs and documents.
An archive (ZIP, 7z, RAR, gzip, tar) is refused: it is never unpacked, and what
it holds could not be seen or checked (a city that must take them sets
``MAMORU_EVIDENCE_ALLOW_ARCHIVES``). Office documents are ZIP containers too:
they are told apart by the parts a ZIP of theirs begins with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Detected:
    content_type: str
    extension: str  # without the dot, lower case
    family: str  # audio, video, image, document, archive


# extension → (content type, family): what mamoru stores. Several spellings map to one type.
ACCEPTED = {
    "wav": ("audio/wav", "audio"),
    "mp3": ("audio/mpeg", "audio"),
    "m4a": ("audio/mp4", "audio"),
    "aac": ("audio/aac", "audio"),
    "ogg": ("audio/ogg", "audio"),
    "opus": ("audio/ogg", "audio"),
    "flac": ("audio/flac", "audio"),
    "mp4": ("video/mp4", "video"),
    "mov": ("video/quicktime", "video"),
    "jpg": ("image/jpeg", "image"),
    "png": ("image/png", "image"),
    "gif": ("image/gif", "image"),
    "webp": ("image/webp", "image"),
    "heic": ("image/heic", "image"),
    "pdf": ("application/pdf", "document"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "document"),
    "odt": ("application/vnd.oasis.opendocument.text", "document"),
    "txt": ("text/plain", "document"),
    "eml": ("message/rfc822", "document"),
}
ARCHIVES = {"zip", "7z", "rar", "gz", "tgz", "tar", "bz2", "xz", "lzh", "cab"}
SYNONYMS = {"jpeg": "jpg", "jpe": "jpg", "wave": "wav", "qt": "mov", "m4v": "mp4", "oga": "ogg", "heif": "heic"}
_OFFICE_PARTS = {b"word/": "docx", b"xl/": "xlsx", b"ppt/": "pptx"}


def _extension(name: str) -> str:
    suffix = PurePath(name).suffix.lower().lstrip(".")
    return SYNONYMS.get(suffix, suffix)


def _zip_kind(head: bytes, named: str) -> str:
    if b"mimetypeapplication/vnd.oasis.opendocument.text" in head:
        return "odt"
    if b"[Content_Types].xml" in head or any(part in head for part in _OFFICE_PARTS):
        for part, extension in _OFFICE_PARTS.items():
            if part in head:
                return extension
        return named if named in ("docx", "xlsx", "pptx") else "zip"
    return "zip"


def _from_magic(head: bytes, named: str) -> str | None:
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    candidates = [SYNONYMS.get(m.extension.lower().lstrip("."), m.extension.lower().lstrip(".")) for m in matches]
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head, named)
    if head[4:8] == b"ftyp":  # ISO media: the brand says audio (M4A), QuickTime or MP4
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "m4a"
        if brand == b"qt  ":
            return "mov"
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return "heic"
        return "mp4"
    if named in candidates:
        return named
    for candidate in candidates:
        if candidate in ACCEPTED or candidate in ARCHIVES:
            return candidate
    if head[:2] == b"\xff\xf1" or head[:2] == b"\xff\xf9":
        return "aac"
    if _mpeg_audio_frame(head):  # an MP3 without an ID3 tag (many recorders write none)
        return "mp3"
    return None


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio frame header (worker stream): sync bits, a version and layer that exist,
    a bit rate and sample rate that are not the reserved values."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    bitrate, sample_rate = head[2] >> 4, (head[2] >> 2) & 0b11
    return version != 0b01 and layer != 0 and bitrate not in (0, 0xF) and sample_rate != 0b11


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp932"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            # a multi-byte character cut at the end of the head is still text
            try:
                head[:-3].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


def detect(*, head: bytes, name: str) -> tuple[Detected, str]:
    """The file's real type and a note for the user ("" when the name agrees).
    Raises ``ValidationError`` (Japanese) for an empty file, an archive, or a type
    evidence does not take."""
    if not head:
        raise ValidationError(_("「{name}」は空のファイル（0バイト）です。").format(name=name))
    named = _extension(name)
    found = _from_magic(head, named)
    if found is None and named in ("txt", "eml", "csv") and _looks_like_text(head):
        found = "txt" if named == "csv" else named
    if found in ARCHIVES:
        if not settings.MAMORU_EVIDENCE_ALLOW_ARCHIVES:
            raise ValidationError(
                _(
                    "「{name}」は圧縮ファイル（{kind}）です。証拠としては受け付けません（展開もしません）。"
                    "中のファイルを1つずつ登録してください。"
                ).format(name=name, kind=found.upper())
            )
        return Detected("application/octet-stream", found, "archive"), ""
    if found is None or found not in ACCEPTED:
        raise ValidationError(
            _(
                "「{name}」の内容は、証拠として受け付けるファイル（録音・動画・写真・PDF・文書）"
                "のいずれとも判定できませんでした。"
            ).format(name=name)
        )
    content_type, family = ACCEPTED[found]
    note = ""
    if named and named != found:
        note = _("「{name}」は名前では {named} ですが、内容は {found} でした。{found} として保存しました。").format(
            name=name, named=named.upper(), found=found.upper()
        )
    return Detected(content_type, found, family), note
