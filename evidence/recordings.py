"""Recordings analysed in the background (worker stream, issue 14).

``recording_analysis_request`` is called in the upload's transaction for a file
whose content is sound (or a video, for its sound track): it records a pending
analysis and hands it to the worker (``evidence.worker``), in the same
transaction — the job exists exactly when the upload does. The worker calls
``recording_analyse``, which may run more than once for the same analysis (a
worker killed mid-way has its job retried): it starts from the beginning and
writes its result in one transaction at the end."""

from __future__ import annotations

import contextlib
import shutil
import tempfile

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record

from . import audio, storage
from .choices import AnalysisStatus, CustodyKind
from .models import Evidence, RecordingAnalysis, StoredFile

ANALYSED_FAMILIES = ("audio", "video")
PROGRESS_EVERY_SECONDS = 60  # of sound: the page shows how far the worker is


def thresholds() -> audio.Thresholds:
    return audio.Thresholds(
        raised_db=settings.MAMORU_RECORDING_RAISED_DB,
        raised_seconds=settings.MAMORU_RECORDING_RAISED_SECONDS,
        gap_seconds=settings.MAMORU_RECORDING_GAP_SECONDS,
        silence_dbfs=settings.MAMORU_RECORDING_SILENCE_DBFS,
    )


def recording_analysis_request(*, stored_file: StoredFile, family: str) -> RecordingAnalysis | None:
    """A pending analysis of ``stored_file`` handed to the worker, in the caller's
    transaction. Nothing for content that is not sound; the same bytes uploaded again
    keep their analysis (a failed one is tried again)."""
    if family not in ANALYSED_FAMILIES:
        return None
    from . import worker

    analysis, created = RecordingAnalysis.objects.get_or_create(stored_file=stored_file)
    if not created and analysis.status != AnalysisStatus.FAILED:
        return analysis
    if not created:
        analysis.status = AnalysisStatus.PENDING
        analysis.message = ""
        analysis.save(update_fields=["status", "message"])
    worker.enqueue_analysis(analysis_id=analysis.pk)
    return analysis


@contextlib.contextmanager
def _local_path(name: str):
    """A path ffmpeg can open (and seek: an M4A's index may be at its end): the file
    itself on local storage, else a temporary copy streamed from object storage."""
    store = storage.evidence_storage()
    try:
        yield store.path(name)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(prefix="mamoru-analysis-", suffix=".bin") as copy:
        with store.open(name, "rb") as source:
            shutil.copyfileobj(source, copy, 1024 * 1024)
        copy.flush()
        yield copy.name


def recording_analyse(*, analysis_id: int) -> RecordingAnalysis | None:
    """Decode and measure the recording (run by the worker). A file ffmpeg cannot read
    ends ``failed`` with a message for staff; the file is kept. Any other error
    propagates, leaving the analysis ``running`` for the worker to retry."""
    with transaction.atomic():
        analysis = (
            RecordingAnalysis.objects.select_for_update().select_related("stored_file").filter(pk=analysis_id).first()
        )
        if analysis is None or analysis.status == AnalysisStatus.DONE:
            return analysis
        analysis.status = AnalysisStatus.RUNNING
        analysis.attempts += 1
        analysis.progress_seconds = 0
        analysis.started_at = timezone.now()
        analysis.save(update_fields=["status", "attempts", "progress_seconds", "started_at"])
    stored = analysis.stored_file
    if stored.is_purged:
        return _finish_failed(analysis, audio.AudioUnreadable("ファイルが保存期間の経過により消去されています。"))

    def progress(seconds: int) -> None:
        if seconds - analysis.progress_seconds >= PROGRESS_EVERY_SECONDS:
            analysis.progress_seconds = seconds
            RecordingAnalysis.objects.filter(pk=analysis.pk).update(progress_seconds=seconds)

    used = thresholds()
    try:
        with _local_path(stored.storage_name) as path:
            result = audio.analyse_file(path, thresholds=used, progress=progress)
    except audio.AudioUnreadable as error:
        return _finish_failed(analysis, error)
    with transaction.atomic():
        analysis.status = AnalysisStatus.DONE
        analysis.message = ""
        analysis.error_detail = ""
        analysis.duration_seconds = round(result.duration, 2)
        analysis.levels = audio.pack_levels(result.levels)
        analysis.median_dbfs = None if result.median_dbfs is None else round(result.median_dbfs, 2)
        analysis.segments = [segment.as_dict() for segment in result.segments]
        analysis.thresholds = {
            "raised_db": used.raised_db,
            "raised_seconds": used.raised_seconds,
            "gap_seconds": used.gap_seconds,
            "silence_dbfs": used.silence_dbfs,
        }
        analysis.progress_seconds = len(result.levels)
        analysis.finished_at = timezone.now()
        analysis.save()
        detail = {
            "duration_seconds": analysis.duration_seconds,
            "median_dbfs": analysis.median_dbfs,
            "raised_segments": len(analysis.segments),
            "attempts": analysis.attempts,
        }
        _record(analysis, detail=detail, action="evidence.recording.analysed")
    return analysis


def recording_analysis_give_up(*, analysis_id: int, detail: str) -> None:
    """An analysis that ended in an error that is not the file's (eager mode: nobody retries):
    ``failed`` with a message, so the page does not say "running" for ever."""
    analysis = RecordingAnalysis.objects.filter(pk=analysis_id).exclude(status=AnalysisStatus.DONE).first()
    if analysis is not None:
        _finish_failed(
            analysis,
            audio.AudioUnreadable(
                "解析中にエラーが発生しました。ファイル自体は保存されています。同じファイルを登録し直すと、もう一度解析します。",
                detail=detail[-2000:],
            ),
        )


def _finish_failed(analysis: RecordingAnalysis, error: audio.AudioUnreadable) -> RecordingAnalysis:
    with transaction.atomic():
        analysis.status = AnalysisStatus.FAILED
        analysis.message = error.message[:300]
        analysis.error_detail = error.detail
        analysis.finished_at = timezone.now()
        analysis.save(update_fields=["status", "message", "error_detail", "finished_at"])
        _record(
            analysis, detail={"failed": True, "message": analysis.message}, action="evidence.recording.analysis_failed"
        )
    return analysis


def _record(analysis: RecordingAnalysis, *, detail: dict, action: str) -> None:
    """The custody event ``analysed`` on every piece of evidence holding these bytes."""
    from .services import custody_record

    for evidence in Evidence.objects.filter(stored_file_id=analysis.stored_file_id):
        custody_record(actor=None, evidence=evidence, kind=CustodyKind.ANALYSED, detail=detail)
    audit_record(actor=None, actor_name="worker", action=action, obj=analysis.stored_file, after=detail)
