"""The browser's event connection (/ws/events/).

One connection per open page of a signed-in user. It joins the user's groups
(``realtime.groups.groups_for``); before sending each event it reloads the
user and asks the registry (``realtime.registry``) whether that user may
receive that kind of event: an app registers its kinds and their checks in its
``AppConfig.ready()``, and an unregistered kind reaches no one. On connect it
first sends what the apps registered as pending (open backup calls nobody has
taken), so a page that was offline, or a server that restarted, loses nothing:
events are only a push of what is already stored.

Speed: one event reaches every connection of a department at once (a few
hundred). Each connection's check is plain Python on the event loop, and the
users are reloaded in one query per event for the whole process; no other trip
to the thread that serves the pages is made per connection (see ``dispatch``)."""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.twofactor import session_owes_second_factor

from . import groups, registry

logger = logging.getLogger(__name__)

EVENT_MESSAGE = "mamoru.event"


def may_receive(user, event: dict) -> bool:
    """May this (freshly loaded) user receive this event? (the registry's answer)"""
    return registry.may_receive(user, event)


def _load_users(user_ids):
    from accounts.models import User

    return {user.pk: user for user in User.objects.filter(pk__in=user_ids, is_active=True)}


# In the one thread that also serves the pages (thread-sensitive, Django's
# default). A worker thread of its own was tried: with SQLite its read then waits
# on the writes of the request that sent the event (seconds for the first call
# after a start, measured), while in one thread they simply follow each other.
_load_users_async = database_sync_to_async(_load_users)


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
            users = await _load_users_async(list(batch))
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
        # A session that still owes its second factor gets no alerts (signin stream, issue 13 B1).
        if await database_sync_to_async(session_owes_second_factor)(user, self.scope.get("session")):
            await self.close(code=4401)
            return
        from mamoru.background import ensure_running

        ensure_running()
        self.user_id = user.pk
        self.joined = groups.groups_for(user)
        for name in self.joined:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()
        for event in await database_sync_to_async(registry.connect_events)(user):
            await self.send_json(event)

    async def disconnect(self, code):
        for name in getattr(self, "joined", []):
            await self.channel_layer.group_discard(name, self.channel_name)

    async def dispatch(self, message):
        # Channels closes stale database connections before every handler, through
        # the one thread that serves the pages: for an event that reaches hundreds
        # of connections at once that is hundreds of trips queued behind the page
        # that sent it. This handler's only database work (the batched reload)
        # goes through database_sync_to_async, which closes stale connections itself.
        if message.get("type") == EVENT_MESSAGE:
            await self.mamoru_event(message)
        else:
            await super().dispatch(message)

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
