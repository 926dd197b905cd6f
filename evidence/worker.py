"""How an analysis reaches the worker (``settings.MAMORU_WORKER``).

- ``procrastinate``: a job in the queue kept in PostgreSQL, written in the caller's
  transaction (the upload and its job commit or roll back together). A worker process
  (``python -m mamoru evidence-worker``) runs it; a worker killed mid-way has its job
  retried by the next one (``evidence.management.commands.evidence_worker``).
- ``eager``: in the web process, right after the caller's transaction commits — the demo
  on SQLite (``make run``) with nothing else to start. A long recording makes the upload
  wait for its analysis (about 2 s for an hour of MP3)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

QUEUE = "evidence"


def enqueue_analysis(*, analysis_id: int) -> None:
    if settings.MAMORU_WORKER == "procrastinate":
        from .tasks import analyse_recording

        analyse_recording.defer(analysis_id=analysis_id)
        return
    transaction.on_commit(lambda: _run_eagerly(analysis_id), robust=True)


def _run_eagerly(analysis_id: int) -> None:
    from .recordings import recording_analyse, recording_analysis_give_up

    try:
        recording_analyse(analysis_id=analysis_id)
    except Exception as error:  # the upload has succeeded; no worker will try again: say so on the page
        logger.exception("recording analysis %s failed", analysis_id)
        recording_analysis_give_up(analysis_id=analysis_id, detail=repr(error))
