"""Sending events to groups of connected browsers, after the transaction commits.

An event is a dict with a ``kind`` (e.g. ``"backup_call.created"``) and JSON
data. Events are only a push: whatever they announce is stored in the database
first, so a browser that was offline reads it on reconnect."""

from __future__ import annotations

import asyncio
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def publish(groups: list[str], event: dict) -> None:
    """Send now (use inside ``on_commit`` or outside a transaction)."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "mamoru.event", "event": event}

    async def send_all():
        for group in dict.fromkeys(groups):
            await layer.group_send(group, message)

    def send():
        async_to_sync(send_all)()  # one trip to the event loop for every group

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send()  # the usual case: a view, a command, a worker thread
    else:
        # Sync code called from a thread that runs an event loop (a script or a
        # test driving Playwright's sync API): async_to_sync refuses to run
        # there, so send from a helper thread.
        helper = threading.Thread(target=send)
        helper.start()
        helper.join()


def publish_on_commit(groups: list[str], event: dict) -> None:
    """Send once the current transaction commits; nothing is sent if it rolls back."""
    transaction.on_commit(lambda: publish(list(groups), event))
