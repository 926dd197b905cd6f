"""The worker's jobs (procrastinate; found by its Django app when ``MAMORU_WORKER``
is ``procrastinate``). Run them with ``python -m mamoru evidence-worker``."""

from __future__ import annotations

from django.db import close_old_connections
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from .worker import QUEUE

MAX_ATTEMPTS = 6


@app.task(
    name="evidence.analyse_recording",
    queue=QUEUE,
    # An error that is not the file's (storage unreachable, the database restarting):
    # tried again, waiting longer each time (3 s, 9 s, 27 s…), up to six attempts.
    retry=RetryStrategy(max_attempts=MAX_ATTEMPTS, exponential_wait=3),
    pass_context=True,
)
def analyse_recording(context, *, analysis_id: int) -> None:
    from .recordings import recording_analyse, recording_analysis_give_up

    close_old_connections()
    try:
        recording_analyse(analysis_id=analysis_id)
    except Exception as error:
        if context.job.attempts + 1 >= MAX_ATTEMPTS:  # the last attempt: say so on the page
            recording_analysis_give_up(analysis_id=analysis_id, detail=repr(error))
        raise
    finally:
        close_old_connections()
