"""The browser's event connection (/ws/events/).

One connection per open page of a signed-in user. It joins the user's groups
(``realtime.groups.groups_for``); before sending each event it reloads the
user and checks they are still active and may see what the event is about.
On connect it first sends what is pending in the database (open backup calls
nobody has taken), so a page that was offline, or a server that restarted,
loses nothing: events are only a push of what is already stored."""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import groups

logger = logging.getLogger(__name__)


def _pending_events(user) -> list[dict]:
    from backup_calls.selectors import backup_call_pending_list
    from backup_calls.services import backup_call_event_data

    return [
        {"kind": "backup_call.pending", "call": backup_call_event_data(call)}
        for call in backup_call_pending_list(user=user)
    ]


def may_receive(user, event: dict) -> bool:
    """May this (freshly loaded) user receive this event?"""
    if user is None or not user.is_active:
        return False
    call = event.get("call")
    if call is not None:
        from backup_calls.selectors import user_may_respond

        return call.get("caller_id") == user.pk or user_may_respond(user=user, department_id=call.get("department_id"))
    return False


def _load_users(user_ids):
    from accounts.models import User

    return {user.pk: user for user in User.objects.filter(pk__in=user_ids, is_active=True)}


class _UserReloader:
    """Reloads users from the database for the permission check before each
    message, one query for every connection of this process that received the
    same event in the same moment (200 supervisors: one query, not 200)."""

    def __init__(self):
        self.waiting: dict[int, list[asyncio.Future]] = {}

    async def load(self, user_id):
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        first = not self.waiting
        self.waiting.setdefault(user_id, []).append(future)
        if first:
            loop.create_task(self._flush())
        return await future

    async def _flush(self):
        await asyncio.sleep(0)  # let the other connections of this event join the batch
        batch, self.waiting = self.waiting, {}
        try:
            users = await database_sync_to_async(_load_users)(list(batch))
        except Exception as error:
            for futures in batch.values():
                for future in futures:
                    future.set_exception(error)
            return
        for user_id, futures in batch.items():
            for future in futures:
                future.set_result(users.get(user_id))


_reloaders: dict[int, _UserReloader] = {}


def _reloader() -> _UserReloader:
    loop = asyncio.get_running_loop()
    return _reloaders.setdefault(id(loop), _UserReloader())


class EventConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        from mamoru.background import ensure_running

        ensure_running()
        self.user_id = user.pk
        self.joined = groups.groups_for(user)
        for name in self.joined:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()
        pending = await database_sync_to_async(_pending_events)(user)
        for event in pending:
            await self.send_json(event)
        # Then the list of what is pending, so a page that reconnects drops alerts
        # that were taken or closed while it was away.
        await self.send_json({"kind": "backup_call.synced", "ids": [event["call"]["id"] for event in pending]})

    async def disconnect(self, code):
        for name in getattr(self, "joined", []):
            await self.channel_layer.group_discard(name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("kind") == "ping":
            await self.send_json({"kind": "pong"})

    async def mamoru_event(self, message):
        event = message["event"]
        user = await _reloader().load(self.user_id)
        if user is None:
            await self.close(code=4403)  # deactivated: stop listening
        elif may_receive(user, event):
            await self.send_json(event)
