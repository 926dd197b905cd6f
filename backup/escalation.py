"""Escalating unanswered backup calls, in the background of every server process.

Why here and not in a separate worker: with `make run` there is one process
and nothing else to start, and with several daphne processes behind a proxy
each one runs the same loop. ``backup_call_escalate_due`` moves each call
with a conditional UPDATE, so when several processes look at the same moment
only one escalates a call and sends its alert. The loop starts with the first
request or WebSocket a process serves and checks every
``MAMORU_BACKUP_ESCALATION_INTERVAL`` seconds (2 by default; 0 turns it off).
`manage.py backup_escalate` runs one pass (or ``--loop``) for setups that
prefer a separate worker."""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings

logger = logging.getLogger(__name__)
_tasks: dict[int, asyncio.Task] = {}


def ensure_running() -> None:
    """Start the loop on the running event loop if it is not running there yet."""
    interval = settings.MAMORU_BACKUP_ESCALATION_INTERVAL
    if interval <= 0:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    task = _tasks.get(id(loop))
    if task is None or task.done():
        _tasks[id(loop)] = loop.create_task(_run(interval))


async def _run(interval: float) -> None:
    from .services import backup_call_escalate_due

    while True:
        try:
            await database_sync_to_async(backup_call_escalate_due)()
        except Exception:  # keep the loop alive through a database hiccup
            logger.exception("backup call escalation failed")
        await asyncio.sleep(interval)
