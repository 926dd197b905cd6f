"""Real time as transport: each app registers the kinds of events it sends and who
may receive them (``realtime.registry``); a case report reaches the department's
supervisors and the specialist section over a real WebSocket; an escalation
re-alerts the next level's group only, and the caller is told."""

import asyncio
import datetime as dt
import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections

from backup_calls.services import backup_call_create, backup_call_escalate_due
from realtime import registry
from realtime.consumers import EventConsumer
from records.services import contact_start
from tests import servers
from tests.sessions import signed_in_session

# ---- the registry ----


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(registry, "_kinds", {})
    monkeypatch.setattr(registry, "_on_connect", [])


class _User:
    is_active = True
    is_authenticated = True

    def __init__(self, pk):
        self.pk = pk


def test_an_unregistered_kind_reaches_no_one(clean_registry):
    assert not registry.may_receive(_User(1), {"kind": "case.reported", "department_id": 1})


def test_exact_kinds_and_prefixes(clean_registry):
    registry.register_event("case.", may_receive=lambda user, event: True)
    registry.register_event("case.secret", may_receive=lambda user, event: False)
    registry.register_event("case.audit.", may_receive=lambda user, event: user.pk == 2)
    assert registry.may_receive(_User(1), {"kind": "case.reported"})
    assert not registry.may_receive(_User(1), {"kind": "case.secret"})  # the exact kind wins over the prefix
    assert not registry.may_receive(_User(1), {"kind": "case.audit.read"})  # the longest prefix wins
    assert registry.may_receive(_User(2), {"kind": "case.audit.read"})
    assert not registry.may_receive(_User(1), {"kind": "cases.reported"})  # a prefix is matched with its dot


def test_inactive_users_receive_nothing(clean_registry):
    registry.register_event("case.", may_receive=lambda user, event: True)
    user = _User(1)
    user.is_active = False
    assert not registry.may_receive(user, {"kind": "case.reported"})
    assert not registry.may_receive(None, {"kind": "case.reported"})


def test_a_kind_is_registered_once(clean_registry):
    registry.register_event("case.", may_receive=lambda user, event: True)
    with pytest.raises(ValueError):
        registry.register_event("case.", may_receive=lambda user, event: False)


def test_the_apps_register_their_events():
    assert {"backup_call.", "case."} <= set(registry.registered())


# ---- a case report over a real WebSocket, to a real server process ----


@pytest.fixture(scope="module")
def database_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    cluster = servers.Cluster(folder)
    cluster.migrate(template=folder / "migrated.sqlite3")
    return folder / "migrated.sqlite3"


@pytest.fixture
def single_server(tmp_path, database_template):
    """One daphne process with its in-memory channel layer: what `make run` serves."""
    cluster = servers.Cluster(
        tmp_path, extra_env={"MAMORU_BACKUP_ESCALATION_INTERVAL": "0", "MAMORU_REPETITION_RECOUNT_INTERVAL": "0"}
    )
    cluster.migrate(template=database_template)
    cluster.setup(contacts=1, other_supervisor=True)
    cluster.start("a")
    yield cluster
    cluster.stop()


async def _receive(ws, timeout=5):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


def test_a_case_report_reaches_the_department_and_the_specialist_section_only(single_server):
    from websockets.asyncio.client import connect

    cluster = single_server
    (contact,) = cluster.data["contacts"]
    listeners = ("supervisor1", "manager1", "specialist1", "staff2", "supervisor-zeimu", "staff1")

    async def scenario():
        sockets = {}
        for name in listeners:
            sockets[name] = await connect(cluster.ws_url("a"), additional_headers=cluster.ws_headers("a", name))
            assert (await _receive(sockets[name]))["kind"] == "backup_call.synced"
        try:
            status, _ = await asyncio.to_thread(cluster.post, "a", "staff1", f"/cases/report/{contact}/")
            assert status == 200  # redirected to the new case's page
            for name in ("supervisor1", "manager1", "specialist1"):
                event = await _receive(sockets[name], timeout=3)
                assert event["kind"] == "case.reported", (name, event)
                assert event["url"].startswith("/cases/") and "市民課で事案が報告されました" in event["text"]
                assert "市民 一郎" in event["text"]
            # Staff and supervisors of other departments hear nothing; nor does the reporter.
            for name in ("staff2", "supervisor-zeimu", "staff1"):
                with pytest.raises(asyncio.TimeoutError):
                    await _receive(sockets[name], timeout=0.5)
        finally:
            for ws in sockets.values():
                await ws.close()

    servers.run_async(scenario)


# ---- escalation: the next level's group ----


@pytest.fixture
def in_memory_layer(settings):
    settings.MAMORU_BACKUP_ESCALATION_INTERVAL = 0
    settings.MAMORU_REPETITION_RECOUNT_INTERVAL = 0
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "realtime.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


async def _connect(user):
    communicator = WebsocketCommunicator(EventConsumer.as_asgi(), "/ws/events/")
    communicator.scope["user"] = user
    communicator.scope["session"] = await database_sync_to_async(signed_in_session)(user)
    connected, _ = await communicator.connect()
    assert connected
    while (await communicator.receive_json_from(timeout=1))["kind"] != "backup_call.synced":
        pass
    return communicator


async def _events(communicator, timeout=0.5) -> list[dict]:
    """Every event that arrives until the line is quiet."""
    received = []
    while not await communicator.receive_nothing(timeout=timeout):
        received.append(await communicator.receive_json_from(timeout=1))
    return received


def _kinds(events):
    return [(event["kind"], event.get("call", {}).get("level")) for event in events if event["kind"] != "case.reported"]


@pytest.mark.django_db(transaction=True)
def test_escalation_alerts_the_next_levels_group_and_tells_the_caller(in_memory_layer):
    from tests.conftest import City

    city = City()
    live = contact_start(actor=city.staff, channel="counter")
    call = backup_call_create(actor=city.staff, contact=live)
    names = ("staff", "supervisor", "manager", "specialist", "zeimu_staff")

    async def scenario():
        clients = {name: await _connect(getattr(city, name)) for name in names}
        try:
            await database_sync_to_async(backup_call_escalate_due)(now=call.created_at + dt.timedelta(seconds=61))
            got = {name: await _events(client) for name, client in clients.items()}
            # 管理職: the department's managers are alerted again; the others follow quietly.
            assert _kinds(got["manager"]) == [("backup_call.escalated", "manager")]
            assert _kinds(got["supervisor"]) == [("backup_call.updated", "manager")]
            assert _kinds(got["specialist"]) == [("backup_call.updated", "manager")]
            assert _kinds(got["zeimu_staff"]) == []
            # The caller is told why nobody has come yet.
            assert _kinds(got["staff"]) == [("backup_call.updated", "manager")]
            assert got["staff"][0]["call"]["level_note"] == "応答がないため管理職へ引き上げました"

            later = call.created_at + dt.timedelta(seconds=200)
            await database_sync_to_async(backup_call_escalate_due)(now=later)
            got = {name: await _events(client) for name, client in clients.items()}
            # 専門部署: the specialist section is alerted again.
            assert _kinds(got["specialist"]) == [("backup_call.escalated", "specialist")]
            assert _kinds(got["manager"]) == [("backup_call.updated", "specialist")]
            assert _kinds(got["supervisor"]) == [("backup_call.updated", "specialist")]
            assert _kinds(got["zeimu_staff"]) == []
            assert got["staff"][0]["call"]["level_note"] == "応答がないため専門部署へ引き上げました"
        finally:
            for client in clients.values():
                await client.disconnect()
            await database_sync_to_async(connections.close_all)()

    servers.run_async(scenario)
