"""The worker's jobs (procrastinate; found by its Django app when ``MAMORU_WORKER``
is ``procrastinate``). Run them with ``python -m mamoru evidence-worker``."""

from __future__ import annotations

from django.db import close_old_connections
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from .worker import QUEUE


@app.task(
    name="evidence.analyse_recording",
    queue=QUEUE,
    # An error that is not the file's (storage unreachable, the database restarting):
    # tried again, waiting longer each time, up to six attempts.
    retry=RetryStrategy(max_attempts=6, exponential_wait=3),
    pass_context=False,
)
def analyse_recording(*, analysis_id: int) -> None:
    from .recordings import recording_analyse

    close_old_connections()
    try:
        recording_analyse(analysis_id=analysis_id)
    finally:
        close_old_connections()
