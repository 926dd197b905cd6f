"""Small periodic jobs in the background of every server process.

Why here and not in a separate worker: with `make run` there is one process
and nothing else to start, and with several daphne processes behind a proxy
each one runs the same loops. Every job must therefore be safe to run in
several processes at once (a conditional update, a token, a row lock).

The jobs and the settings that give their intervals in seconds (0 turns a job
off, e.g. in tests) are listed in ``settings.MAMORU_BACKGROUND_JOBS``. The
loops start with the first request or WebSocket a process serves. Each job
also has a management command for setups that prefer cron or a separate
worker (see the README)."""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
_tasks: dict[tuple[int, str], asyncio.Task] = {}


def ensure_running() -> None:
    """Start each job's loop on the running event loop if it is not running there yet."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    for path, interval_setting in settings.MAMORU_BACKGROUND_JOBS:
        interval = getattr(settings, interval_setting)
        if interval <= 0:
            continue
        key = (id(loop), path)
        task = _tasks.get(key)
        if task is None or task.done():
            _tasks[key] = loop.create_task(_run(path, interval))


async def _run(path: str, interval: float) -> None:
    """Run the job every ``interval`` seconds. The job runs in the thread that also
    serves the pages (and reloads users for the alerts), so it must do a short
    pass and say whether it did anything (a truthy result: some work done, maybe
    more waiting); then it runs again at once, behind whatever page work queued
    meanwhile, rather than holding that thread for a long batch or waiting a
    whole interval with work left."""
    job = database_sync_to_async(import_string(path))
    while True:
        try:
            more = await job()
        except Exception:  # keep the loop alive through a database hiccup
            logger.exception("background job %s failed", path)
            more = False
        await asyncio.sleep(0 if more else interval)
