"""Sessions (issue 13: B8 and the WebSocket item of A11; docs/security/login.md):
an absolute lifetime as well as the idle one, 「すべての端末からログアウト」 from
the preferences page, and the /ws/events/ connection closed when its session
ends, is signed out everywhere, or expires."""

import datetime as dt
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_sign_out_everywhere
from accounts.sessions import SIGNED_IN_AT
from audit.models import AuditEntry
from backup_calls.services import backup_call_create
from realtime.consumers import EventConsumer
from records.services import contact_start
from tests import servers
from tests.sessions import signed_in_session

from .conftest import PASSWORD

LOGIN_URL = "/accounts/login/"


def signed_in_client(user) -> Client:
    client = Client()
    response = client.post(LOGIN_URL, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _age_session(client, seconds):
    session = client.session
    session[SIGNED_IN_AT] = time.time() - seconds
    session.save()


# --- Pages -----------------------------------------------------------------------


def test_sessions_have_an_absolute_lifetime_as_well_as_the_idle_one():
    assert settings.SESSION_COOKIE_AGE == 1800  # idle
    assert 0 < settings.MAMORU_SESSION_ABSOLUTE_SECONDS <= 12 * 3600  # a working day, however active


def test_an_active_session_ends_at_the_absolute_lifetime(city):
    client = signed_in_client(city.staff)
    assert client.session[SIGNED_IN_AT] == pytest.approx(time.time(), abs=5)
    _age_session(client, settings.MAMORU_SESSION_ABSOLUTE_SECONDS - 60)
    assert client.get("/").status_code == 200  # still within the lifetime
    _age_session(client, settings.MAMORU_SESSION_ABSOLUTE_SECONDS + 1)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "ログインしてから一定の時間が経ったため" in page
    assert AuditEntry.objects.filter(action="accounts.session.ended_absolute", actor=city.staff).count() == 1
    # htmx requests are sent to the login screen the htmx way.
    client = signed_in_client(city.staff)
    _age_session(client, settings.MAMORU_SESSION_ABSOLUTE_SECONDS + 1)
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response.status_code == 401 and response["HX-Redirect"] == LOGIN_URL


def test_a_session_signed_in_elsewhere_is_stamped_on_its_first_page(city, client):
    client.force_login(city.staff)  # as another sign-in view (two-factor, directory) would
    assert client.get("/").status_code == 200
    assert client.session[SIGNED_IN_AT] == pytest.approx(time.time(), abs=5)


def test_sign_out_everywhere_from_the_preferences_page(city):
    desk, counter = signed_in_client(city.staff), signed_in_client(city.staff)
    colleague = signed_in_client(city.supervisor)
    page = desk.get(reverse("accounts:preferences")).content.decode()
    assert "すべての端末からログアウト" in page
    assert reverse("accounts:sign_out_everywhere") in page
    assert desk.get(reverse("accounts:sign_out_everywhere")).status_code == 405

    response = desk.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "すべての端末からログアウトしました" in desk.get(response["Location"]).content.decode()
    assert desk.get("/").status_code == 302
    # The other device is signed out at its next request, and told why.
    response = counter.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
    assert "「すべての端末からログアウト」が行われたため" in counter.get(response["Location"]).content.decode()
    # A colleague is not affected; signing in again works.
    assert colleague.get("/").status_code == 200
    assert signed_in_client(city.staff).get("/").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.session.signed_out_everywhere", actor=city.staff).count() == 1


# --- The WebSocket ---------------------------------------------------------------


@pytest.fixture
def layer(settings):
    settings.MAMORU_BACKUP_ESCALATION_INTERVAL = 0
    settings.MAMORU_REPETITION_RECOUNT_INTERVAL = 0
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def live_city(transactional_db, layer):
    from tests.conftest import City

    return City()


async def _connect(user, session):
    communicator = WebsocketCommunicator(EventConsumer.as_asgi(), "/ws/events/")
    communicator.scope["user"] = user
    communicator.scope["session"] = session
    connected, code = await communicator.connect()
    if connected:
        while (await communicator.receive_json_from(timeout=1))["kind"] != "backup_call.synced":
            pass
    return communicator, connected, code


async def _closed_with(communicator, timeout=1):
    """The close code the server sent (no event came before it)."""
    output = await communicator.receive_output(timeout=timeout)
    assert output["type"] == "websocket.close", output
    return output["code"]


def _run(scenario):
    async def main():
        try:
            await scenario()
        finally:
            await database_sync_to_async(connections.close_all)()

    servers.run_async(main)


def _alert(city):
    live = contact_start(actor=city.staff, channel="counter")
    return lambda: backup_call_create(actor=city.staff, contact=live, reason="威嚇")


@pytest.mark.parametrize("ending", ["signed_out", "expired", "signed_out_everywhere", "absolute_lifetime"])
def test_the_socket_of_an_ended_session_is_closed_before_the_next_alert(live_city, ending):
    city = live_city
    alert = _alert(city)

    def end(session):
        if ending == "signed_out":
            SessionStore(session_key=session.session_key).delete()
        elif ending == "expired":
            Session.objects.filter(pk=session.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
        elif ending == "signed_out_everywhere":
            user_sign_out_everywhere(actor=city.supervisor)
        else:
            session[SIGNED_IN_AT] = time.time() - settings.MAMORU_SESSION_ABSOLUTE_SECONDS - 1
            session.save()

    async def scenario():
        session = await database_sync_to_async(signed_in_session)(city.supervisor)
        colleague = await database_sync_to_async(signed_in_session)(city.manager)
        ended, connected, _code = await _connect(city.supervisor, session)
        assert connected
        still, connected, _code = await _connect(city.manager, colleague)
        assert connected
        await database_sync_to_async(end)(session)
        await database_sync_to_async(alert)()
        assert await _closed_with(ended) == 4401  # the alert did not reach it
        assert (await still.receive_json_from(timeout=1))["kind"] == "backup_call.created"
        await still.disconnect()

    _run(scenario)


def test_a_quiet_socket_is_closed_soon_after_its_session_ends(live_city, settings):
    settings.MAMORU_REALTIME_SESSION_CHECK_SECONDS = 0.2
    city = live_city

    async def scenario():
        session = await database_sync_to_async(signed_in_session)(city.staff)
        communicator, connected, _code = await _connect(city.staff, session)
        assert connected
        assert await communicator.receive_nothing(timeout=0.5)  # a live session stays open
        await database_sync_to_async(SessionStore(session_key=session.session_key).delete)()
        assert await _closed_with(communicator, timeout=2) == 4401

    _run(scenario)


def test_a_socket_cannot_open_on_an_ended_session(live_city):
    city = live_city

    async def scenario():
        session = await database_sync_to_async(signed_in_session)(city.staff)
        await database_sync_to_async(user_sign_out_everywhere)(actor=city.staff)
        _communicator, connected, code = await _connect(city.staff, session)
        assert not connected and code == 4401
        _communicator, connected, code = await _connect(city.staff, None)  # no session at all
        assert not connected and code == 4401

    _run(scenario)
