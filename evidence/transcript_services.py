"""Writing transcripts (反訳書): typed by staff, imported from a file, or drafted by the city's
own speech-to-text engine. Every save is a new revision in one transaction with its audit
entry; a correction never overwrites the revision before it."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from mamoru.lib.japanese import normalize
from mamoru.lib.text import clean_text

from . import permissions, storage
from .choices import CustodyKind, EvidenceKind, TranscriptSource
from .models import Evidence, Transcript, TranscriptRevision
from .services import custody_record
from .transcript_formats import Segment, TranscriptFormatError, ordered, parse_file

# A transcript file is small (a long recording's WebVTT is well under a megabyte).
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def is_recording(evidence: Evidence) -> bool:
    """A transcript belongs to a recording: audio or video, by what staff said or by its content."""
    content_type = evidence.stored_file.content_type or ""
    return evidence.kind in (EvidenceKind.RECORDING, EvidenceKind.VIDEO) or content_type.startswith(
        ("audio/", "video/")
    )


def _require_edit(actor, evidence: Evidence) -> None:
    if not permissions.may_edit_transcript(actor, evidence):
        raise PermissionDenied(_("この証拠の反訳書を作成・修正する権限がありません。"))
    if not is_recording(evidence):
        raise ValidationError(_("反訳書は録音・動画の証拠にだけ作成できます。"))


def transcript_save(
    *,
    actor,
    evidence: Evidence,
    segments: list[Segment],
    source: str = TranscriptSource.TYPED,
    source_name: str = "",
    note: str = "",
    transcribed_by_name: str | None = None,
    recording_seconds: float | None = None,
    expected_version: int | None = None,
) -> Transcript:
    """Save ``segments`` as the transcript's next revision. ``expected_version`` (the version the
    editor showed) refuses a save over someone else's newer revision. Saving the same rows and
    name again adds nothing."""
    _require_edit(actor, evidence)
    try:
        segments = ordered(list(segments))
    except TranscriptFormatError as error:
        raise ValidationError(error.message) from error
    rows = [segment.as_dict() for segment in segments]
    note = clean_text(note, multiline=False).strip()[:300]
    with transaction.atomic():
        transcript = Transcript.objects.select_for_update().filter(evidence=evidence).first()
        created = transcript is None
        if created:
            transcript = Transcript.objects.create(
                evidence=evidence, created_by=actor, transcribed_by_name=actor.display_name[:100]
            )
        if expected_version is not None and expected_version != transcript.version:
            raise ValidationError(
                _(
                    "ほかの職員が先に反訳書を保存しました（第{version}版）。画面を開き直して、最新の版に修正を加えてください。"
                ).format(version=transcript.version)
            )
        name = transcript.transcribed_by_name
        if transcribed_by_name is not None:
            name = clean_text(transcribed_by_name, multiline=False).strip()[:100] or actor.display_name[:100]
        seconds = transcript.recording_seconds if recording_seconds is None else recording_seconds
        current = transcript.revisions.order_by("-number").first()
        if (
            current is not None
            and current.segments == rows
            and name == transcript.transcribed_by_name
            and seconds == transcript.recording_seconds
        ):
            return transcript
        before = {
            "version": transcript.version,
            "segments": len(current.segments) if current else 0,
            "transcribed_by": transcript.transcribed_by_name,
            "recording_seconds": transcript.recording_seconds,
        }
        transcript.version += 1
        transcript.transcribed_by_name = name
        transcript.recording_seconds = seconds
        transcript.search_text = normalize(" ".join(row["text"] for row in rows))  # the words, not who spoke
        transcript.save(
            update_fields=["version", "transcribed_by_name", "recording_seconds", "search_text", "updated_at"]
        )
        TranscriptRevision.objects.create(
            transcript=transcript,
            number=transcript.version,
            source=source,
            source_name=clean_text(source_name, multiline=False).strip()[:255],
            segments=rows,
            note=note,
            created_by=actor,
        )
        action = {
            TranscriptSource.TYPED: "evidence.transcript.saved",
            TranscriptSource.IMPORTED: "evidence.transcript.imported",
            TranscriptSource.SPEECH_TO_TEXT: "evidence.transcript.drafted",
        }[source]
        audit_record(
            actor=actor,
            action=action,
            obj=evidence,
            before=None if created else before,
            after={
                "version": transcript.version,
                "segments": len(rows),
                "transcribed_by": name,
                "recording_seconds": seconds,
                "source": source,
                "note": note,
            },
        )
    return transcript


def transcript_import(
    *, actor, evidence: Evidence, data: bytes, name: str, expected_version: int | None = None
) -> Transcript:
    """Bring in a WebVTT, SRT or CSV file (a phone recorder's or a transcription service's export)
    as the next revision. A file that does not parse saves nothing and says which line."""
    _require_edit(actor, evidence)
    name = clean_text(name.replace("\\", "/").rsplit("/", 1)[-1], multiline=False).strip()[:255]
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            _("反訳ファイルが大きすぎます（上限 {limit} MB）。").format(limit=MAX_IMPORT_BYTES // (1024 * 1024))
        )
    try:
        segments = parse_file(data, name)
    except TranscriptFormatError as error:
        raise ValidationError(
            _("「{name}」を取り込めません。{message}").format(name=name, message=error.message)
        ) from error
    return transcript_save(
        actor=actor,
        evidence=evidence,
        segments=segments,
        source=TranscriptSource.IMPORTED,
        source_name=name,
        note=_("ファイル「{name}」から取り込み").format(name=name),
        expected_version=expected_version,
    )


# --- the city's own speech-to-text engine -------------------------------------------------


def speech_to_text_configured() -> bool:
    return bool(settings.MAMORU_STT_COMMAND.strip())


def speech_to_text_name() -> str:
    if settings.MAMORU_STT_NAME.strip():
        return settings.MAMORU_STT_NAME.strip()
    command = shlex.split(settings.MAMORU_STT_COMMAND)
    return Path(command[0]).name if command else ""


def transcript_draft(*, actor, evidence: Evidence, expected_version: int | None = None) -> Transcript:
    """A first draft from the speech-to-text engine the city configured (``MAMORU_STT_COMMAND``):
    the command is run with the recording's path as its last argument and prints WebVTT or JSON on
    stdout. Reading the recording is a custody event. The draft is a revision like any other, for
    staff to correct by listening. Synchronous, stopped after ``MAMORU_STT_TIMEOUT`` seconds."""
    _require_edit(actor, evidence)
    if not speech_to_text_configured():
        raise ValidationError(_("音声認識エンジンが設定されていません（MAMORU_STT_COMMAND）。"))
    if evidence.stored_file.is_purged:
        raise ValidationError(_("この証拠のファイルは削除されています（記録は残っています）。"))
    engine = speech_to_text_name()
    with transaction.atomic():
        custody_record(
            actor=actor,
            evidence=evidence,
            kind=CustodyKind.TRANSCRIBED,
            purpose=_("反訳書の下書き（音声認識）"),
            detail={"engine": engine},
        )
    stdout = _run_engine(evidence)
    try:
        segments = parse_file(stdout)
    except TranscriptFormatError as error:
        raise ValidationError(
            _("音声認識エンジンの出力を読めません。{message}").format(message=error.message)
        ) from error
    return transcript_save(
        actor=actor,
        evidence=evidence,
        segments=segments,
        source=TranscriptSource.SPEECH_TO_TEXT,
        source_name=engine,
        note=_("音声認識の下書き（聞き直して修正してください）"),
        expected_version=expected_version,
    )


def _run_engine(evidence: Evidence) -> bytes:
    command = shlex.split(settings.MAMORU_STT_COMMAND)
    suffix = f".{evidence.stored_file.extension}" if evidence.stored_file.extension else ""
    with tempfile.TemporaryDirectory(prefix="mamoru-stt-") as folder:
        path = os.path.join(folder, f"recording{suffix}")
        with storage.open_stored(evidence.stored_file.storage_name) as source, open(path, "wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        try:
            finished = subprocess.run(  # noqa: S603 - the city's own configured command, no shell
                [*command, path],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=settings.MAMORU_STT_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            raise ValidationError(
                _(
                    "音声認識エンジン「{command}」が見つかりません。設定（MAMORU_STT_COMMAND）を確かめてください。"
                ).format(command=command[0])
            ) from None
        except subprocess.TimeoutExpired:
            raise ValidationError(
                _("音声認識が{seconds}秒で終わらなかったため中止しました。").format(seconds=settings.MAMORU_STT_TIMEOUT)
            ) from None
    if finished.returncode != 0:
        said = finished.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ValidationError(
            _("音声認識エンジンがエラーで終了しました（終了コード {code}）。{said}").format(
                code=finished.returncode, said=said[-1][:200] if said else ""
            )
        )
    return finished.stdout
