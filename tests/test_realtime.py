"""Real time: the /ws/events/ consumer (who gets which alert, pending alerts on
connect), and real server processes sharing a Redis channel layer (an alert
crosses processes; a server killed and restarted loses nothing)."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections

from backup_calls.services import backup_call_create, backup_call_escalate_due, backup_call_take
from realtime.consumers import EventConsumer
from records.services import contact_start
from tests import servers
from tests.sessions import signed_in_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_layer(settings):
    settings.MAMORU_BACKUP_ESCALATION_INTERVAL = 0
    settings.MAMORU_REPETITION_RECOUNT_INTERVAL = 0
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def city(transactional_db):
    from tests.conftest import City

    city = City()
    city.staff.workplace = "窓口3番"
    city.staff.save(update_fields=["workplace"])
    return city


async def _connect(user, pending=None):
    """Connect as the user; the pending alerts sent on connect go into ``pending``."""
    communicator = WebsocketCommunicator(EventConsumer.as_asgi(), "/ws/events/")
    communicator.scope["user"] = user
    communicator.scope["session"] = await database_sync_to_async(signed_in_session)(user)
    connected, _ = await communicator.connect()
    assert connected
    received = []
    while True:
        event = await communicator.receive_json_from(timeout=1)
        if event["kind"] == "backup_call.synced":
            assert event["ids"] == [e["call"]["id"] for e in received]
            break
        received.append(event)
    if pending is None:
        assert received == [], received
    else:
        pending.extend(received)
    return communicator


async def _nothing(communicator):
    assert await communicator.receive_nothing(timeout=0.3)


def _run(coroutine_function):
    async def main():
        try:
            await coroutine_function()
        finally:
            await database_sync_to_async(connections.close_all)()

    servers.run_async(main)


def test_alert_reaches_department_supervisors_and_specialists_only(city):
    live = contact_start(actor=city.staff, channel="counter")

    async def scenario():
        clients = {
            name: await _connect(getattr(city, name))
            for name in ("staff", "supervisor", "manager", "specialist", "zeimu_staff")
        }
        call = await database_sync_to_async(backup_call_create)(actor=city.staff, contact=live, reason="威嚇")
        for name in ("supervisor", "manager", "specialist"):
            event = await clients[name].receive_json_from(timeout=1)
            assert event["kind"] == "backup_call.created"
            data = event["call"]
            assert data["id"] == call.pk and data["caller"] == "市民 一郎" and data["workplace"] == "窓口3番"
            assert data["contact_url"] == f"/contacts/{live.pk}/" and data["reason"] == "威嚇"
            assert data["contact_started_at"] and data["take_url"] == f"/backup-calls/{call.pk}/take/"
            # The call opened a case: its report follows the alert, never before it.
            report = await clients[name].receive_json_from(timeout=1)
            assert report["kind"] == "case.reported" and report["department_id"] == city.shimin.pk
        # The caller hears about their own call; other staff and other departments hear nothing.
        assert (await clients["staff"].receive_json_from(timeout=1))["kind"] == "backup_call.created"
        await _nothing(clients["zeimu_staff"])

        await database_sync_to_async(backup_call_take)(actor=city.supervisor, call=call)
        for name in ("staff", "supervisor", "manager", "specialist"):
            event = await clients[name].receive_json_from(timeout=1)
            assert event["kind"] == "backup_call.taken" and event["call"]["taken_by"] == "市民 課長補佐"
        await _nothing(clients["zeimu_staff"])
        for client in clients.values():
            await client.disconnect()

    _run(scenario)


def test_supervisor_of_another_department_gets_nothing(city):
    from tests.conftest import City

    other = City._user("supervisor2", "supervisor", city.zeimu, "税務 課長補佐")
    live = contact_start(actor=city.staff, channel="counter")

    async def scenario():
        client = await _connect(other)
        await database_sync_to_async(backup_call_create)(actor=city.staff, contact=live)
        await _nothing(client)
        await client.disconnect()

    _run(scenario)


def test_pending_alerts_are_sent_on_connect(city):
    live = contact_start(actor=city.staff, channel="counter")
    taken_contact = contact_start(actor=city.staff, channel="phone")
    call = backup_call_create(actor=city.staff, contact=live)
    taken = backup_call_create(actor=city.staff, contact=taken_contact)
    backup_call_take(actor=city.manager, call=taken)

    async def scenario():
        pending = []
        supervisor = await _connect(city.supervisor, pending)
        assert [(e["kind"], e["call"]["id"]) for e in pending] == [
            ("backup_call.pending", call.pk)
        ]  # not the taken one
        pending = []
        caller = await _connect(city.staff, pending)  # the caller gets both: one waiting, one with who is coming
        assert {e["call"]["id"]: e["call"]["taken_by"] for e in pending} == {call.pk: "", taken.pk: "市民 課長"}
        plain = await _connect(city.zeimu_staff)
        await _nothing(plain)
        for client in (supervisor, caller, plain):
            await client.disconnect()

    _run(scenario)


def test_escalation_re_alerts(city):
    import datetime as dt

    live = contact_start(actor=city.staff, channel="counter")
    call = backup_call_create(actor=city.staff, contact=live)

    async def scenario():
        pending = []
        manager = await _connect(city.manager, pending)
        assert [e["call"]["id"] for e in pending] == [call.pk]
        await database_sync_to_async(backup_call_escalate_due)(now=call.created_at + dt.timedelta(seconds=61))
        event = await manager.receive_json_from(timeout=1)
        assert event["kind"] == "backup_call.escalated" and event["call"]["level"] == "manager"
        assert event["call"]["level_label"] == "管理職"
        await manager.disconnect()

    _run(scenario)


def test_permission_is_checked_again_before_each_message(city):
    live = contact_start(actor=city.staff, channel="counter")

    async def scenario():
        supervisor = await _connect(city.supervisor)
        # Moved to another department while connected: the next alert is not sent.
        city.supervisor.department = city.zeimu
        await database_sync_to_async(city.supervisor.save)(update_fields=["department"])
        await database_sync_to_async(backup_call_create)(actor=city.staff, contact=live)
        await _nothing(supervisor)
        await supervisor.disconnect()

    _run(scenario)


def test_anonymous_connection_is_refused(city):
    from django.contrib.auth.models import AnonymousUser

    async def scenario():
        communicator = WebsocketCommunicator(EventConsumer.as_asgi(), "/ws/events/")
        communicator.scope["user"] = AnonymousUser()
        connected, _ = await communicator.connect()
        assert not connected

    _run(scenario)


# ---- real processes, Redis between them ----


@pytest.fixture(scope="module")
def database_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    cluster = servers.Cluster(folder)
    cluster.migrate(template=folder / "migrated.sqlite3")
    return folder / "migrated.sqlite3"


@pytest.fixture
def cluster(tmp_path, database_template):
    url = servers.redis_url_or_fail(pytest)
    cluster = servers.Cluster(tmp_path, redis_url=url, extra_env={"MAMORU_BACKUP_ESCALATION_INTERVAL": "0"})
    cluster.migrate(template=database_template)
    cluster.setup(contacts=2)
    yield cluster
    cluster.stop()


async def _receive(ws, timeout=5):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


def test_alert_crosses_processes_and_survives_a_restart(cluster):
    from websockets.asyncio.client import connect

    cluster.start("a")
    port_b = cluster.start("b")
    first, second = cluster.data["contacts"]

    async def scenario():
        async with connect(cluster.ws_url("b"), additional_headers=cluster.ws_headers("b", "supervisor1")) as ws:
            assert await _receive(ws) == {"kind": "backup_call.synced", "ids": []}  # nothing pending yet
            # A double click that reaches both processes at once: one call.
            answers = await asyncio.gather(
                asyncio.to_thread(
                    cluster.post, "a", "staff1", f"/backup-calls/contacts/{first}/call/", {"reason": "威嚇"}
                ),
                asyncio.to_thread(
                    cluster.post, "b", "staff1", f"/backup-calls/contacts/{first}/call/", {"reason": "威嚇"}
                ),
            )
            assert sorted(status for status, _ in answers) == [200, 201]
            assert len({body["call"]["id"] for _, body in answers}) == 1
            event = await _receive(ws, timeout=1)
            assert event["kind"] == "backup_call.created" and event["call"]["contact_id"] == first
            assert event["call"]["workplace"] == "窓口3番"

        # Process B dies; a call is made through A while B is down; B comes back.
        cluster.kill("b")
        status, body = await asyncio.to_thread(cluster.post, "a", "staff1", f"/backup-calls/contacts/{second}/call/")
        assert status == 201
        second_call = body["call"]["id"]
        await asyncio.to_thread(cluster.start, "b", port_b)
        async with connect(cluster.ws_url("b"), additional_headers=cluster.ws_headers("b", "supervisor1")) as ws:
            events = [await _receive(ws) for _ in range(3)]
            assert [e["kind"] for e in events] == ["backup_call.pending"] * 2 + ["backup_call.synced"]
            assert second_call in events[-1]["ids"]

            # Taking it through A reaches the caller connected to B.
            async with connect(cluster.ws_url("b"), additional_headers=cluster.ws_headers("b", "staff1")) as caller:
                [await _receive(caller) for _ in range(3)]  # the caller's own open calls, then the list
                status, body = await asyncio.to_thread(
                    cluster.post, "a", "supervisor1", f"/backup-calls/{second_call}/take/"
                )
                assert status == 200
                event = await _receive(caller, timeout=1)
                assert event["kind"] == "backup_call.taken" and event["call"]["taken_by"] == "市民 課長補佐"
                status, body = await asyncio.to_thread(
                    cluster.post, "a", "manager1", f"/backup-calls/{second_call}/take/"
                )
                assert status == 409 and "市民 課長補佐さんが対応しています" in body["message"]

    servers.run_async(scenario)


def test_websocket_needs_a_session_and_an_allowed_origin(cluster):
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    cluster.start("a")

    async def scenario():
        for headers in (
            {"Origin": "http://evil.example", "Cookie": cluster.cookie("supervisor1")},  # another site's page
            {"Origin": cluster.url("a")},  # not signed in
        ):
            with pytest.raises(InvalidStatus) as error:
                async with connect(cluster.ws_url("a"), additional_headers=headers):
                    pass
            assert error.value.response.status_code == 403

    servers.run_async(scenario)


def test_background_escalation_in_two_processes_escalates_once(tmp_path, database_template, settings):
    """Both processes run the escalation loop; each step is still taken once."""
    from websockets.asyncio.client import connect

    pack = (settings.BASE_DIR / "mamoru/policy/packs/otawara.toml").read_text(encoding="utf-8")
    pack_path = tmp_path / "pack.toml"
    pack_path.write_text(pack.replace("escalation_seconds = 60", "escalation_seconds = 1"), encoding="utf-8")
    cluster = servers.Cluster(
        tmp_path,
        redis_url=servers.redis_url_or_fail(pytest),
        extra_env={"MAMORU_BACKUP_ESCALATION_INTERVAL": "0.1", "MAMORU_POLICY_PACK": str(pack_path)},
    )
    cluster.migrate(template=database_template)
    cluster.setup(contacts=1)
    (contact,) = cluster.data["contacts"]
    try:
        cluster.start("a")
        cluster.start("b")

        async def scenario():
            async with connect(cluster.ws_url("b"), additional_headers=cluster.ws_headers("b", "manager1")) as ws:
                assert (await _receive(ws))["kind"] == "backup_call.synced"
                status, _ = await asyncio.to_thread(
                    cluster.post, "a", "staff1", f"/backup-calls/contacts/{contact}/call/"
                )
                assert status == 201
                events = []
                while len(events) < 4:
                    events.append(await _receive(ws, timeout=5))
                assert [(e["kind"], e.get("call", {}).get("level")) for e in events] == [
                    ("backup_call.created", "supervisor"),
                    ("case.reported", None),  # the call opened a case
                    ("backup_call.escalated", "manager"),  # the managers' turn: alerted again
                    ("backup_call.updated", "specialist"),  # the specialist section's turn: the alert follows, quietly
                ]
                with pytest.raises(asyncio.TimeoutError):
                    await _receive(ws, timeout=1.5)  # no second alert for a step, nothing past the last level

        servers.run_async(scenario)
    finally:
        cluster.stop()
