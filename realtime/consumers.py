"""The browser's event connection (/ws/events/).

One connection per open page of a signed-in user. It joins the user's groups
(``realtime.groups.groups_for``); before sending each event it reloads the
user and asks the registry (``realtime.registry``) whether that user may
receive that kind of event: an app registers its kinds and their checks in its
``AppConfig.ready()``, and an unregistered kind reaches no one. On connect it
first sends what the apps registered as pending (open backup calls nobody has
taken), so a page that was offline, or a server that restarted, loses nothing:
events are only a push of what is already stored.

Sessions: the connection lives only as long as the page's session. It is
closed (code 4401, and the page goes to the login screen) when the session is
signed out, expires (idle or absolute lifetime) or is ended by 「すべての端末から
ログアウト」: checked on connect, before each event and every
``MAMORU_REALTIME_SESSION_CHECK_SECONDS`` (``accounts.sessions.sessions_alive``).

Speed: one event reaches every connection of a department at once (a few
hundred). Each connection's check is plain Python on the event loop, and the
users and their sessions are reloaded in two queries per event for the whole process; no other trip
to the thread that serves the pages is made per connection (see ``dispatch``)."""

from __future__ import annotations

import asyncio
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from accounts.twofactor import session_owes_second_factor

from . import groups, registry

logger = logging.getLogger(__name__)

EVENT_MESSAGE = "mamoru.event"


def may_receive(user, event: dict) -> bool:
    """May this (freshly loaded) user receive this event? (the registry's answer)"""
    return registry.may_receive(user, event)


SESSION_ENDED = 4401  # close code: the session ended (signed out, expired); the page goes to the login screen


def _load_users(connections):
    """The active users of these (user id, session key) connections, keyed by the
    pair; ``None`` where the user is inactive or the session has ended."""
    from accounts.models import User
    from accounts.sessions import sessions_alive

    users = {user.pk: user for user in User.objects.filter(pk__in={pk for pk, _key in connections}, is_active=True)}
    alive = sessions_alive((users.get(pk), key) for pk, key in connections)
    return {(pk, key): users.get(pk) if (pk, key) in alive else None for pk, key in connections}


# In the one thread that also serves the pages (thread-sensitive, Django's
# default). A worker thread of its own was tried: with SQLite its read then waits
# on the writes of the request that sent the event (seconds for the first call
# after a start, measured), while in one thread they simply follow each other.
_load_users_async = database_sync_to_async(_load_users)


class _UserReloader:
    """Reloads users (and checks their sessions) from the database for the
    permission check before each message, one query each for every connection
    of this process that received the same event in the same moment (200
    supervisors: two queries, not 400)."""

    def __init__(self):
        self.waiting: dict[tuple[int, str], list[asyncio.Future]] = {}

    async def load(self, user_id, session_key):
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        first = not self.waiting
        self.waiting.setdefault((user_id, session_key), []).append(future)
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
        for connection, futures in batch.items():
            for future in futures:
                future.set_result(users.get(connection))


_reloaders: dict[int, _UserReloader] = {}


def _reloader() -> _UserReloader:
    loop = asyncio.get_running_loop()
    return _reloaders.setdefault(id(loop), _UserReloader())


class EventConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        if user is None or not user.is_authenticated or not user.is_active or session is None:
            await self.close(code=SESSION_ENDED)
            return
        self.user_id = user.pk
        self.session_key = session.session_key
        if await _reloader().load(self.user_id, self.session_key) is None:
            await self.close(code=SESSION_ENDED)  # signed out everywhere, or past the absolute lifetime
            return
        # A session that still owes its second factor gets no alerts (signin stream, issue 13 B1).
        if await database_sync_to_async(session_owes_second_factor)(user, self.scope.get("session")):
            await self.close(code=4401)
            return
        from mamoru.background import ensure_running

        ensure_running()
        self.joined = groups.groups_for(user)
        for name in self.joined:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()
        for event in await database_sync_to_async(registry.connect_events)(user):
            await self.send_json(event)
        if settings.MAMORU_REALTIME_SESSION_CHECK_SECONDS > 0:
            self.session_watch = asyncio.get_running_loop().create_task(self._watch_session())

    async def _watch_session(self):
        """A quiet connection too is closed soon after its session ends."""
        interval = settings.MAMORU_REALTIME_SESSION_CHECK_SECONDS
        while True:
            # On the same beat for every connection: their checks share one batched query.
            await asyncio.sleep(interval - time.time() % interval)
            if await _reloader().load(self.user_id, self.session_key) is None:
                await self.close(code=SESSION_ENDED)
                return

    async def disconnect(self, code):
        watch = getattr(self, "session_watch", None)
        if watch is not None:
            watch.cancel()
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
        user = await _reloader().load(self.user_id, self.session_key)
        if user is None:
            await self.close(code=SESSION_ENDED)  # deactivated, or the session ended: stop listening
        elif may_receive(user, event):
            await self.send_json(event)
