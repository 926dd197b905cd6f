"""The audit log is tamper-evident (issue 13, B3): every entry is chained by hash to
the one before it; ``python -m mamoru audit-verify`` names the first entry that was
changed or deleted in the database directly, and the log can be forwarded to the
city's syslog server as entries are written."""

import io
import json
import socket
import subprocess
import sys
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from audit.chain import entry_hash
from audit.models import AuditChainHead, AuditEntry
from audit.services import audit_read, audit_record
from mamoru.lib import syslog

from .factories import make_contact


def verify():
    """(exit code, stdout, stderr) of ``audit-verify``."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def entries(city):
    """A few entries of all kinds: changes with before/after, reads, a sign-in failure."""
    contact = make_contact(city.staff, summary="窓口での苦情")
    audit_read(actor=city.staff, action="records.contact.listed", filters={"キーワード": "苦情"}, count=3)
    audit_record(actor=None, action="accounts.login.failed", actor_name="unknown", after={"reason": "password"})
    audit_record(
        actor=city.supervisor, action="records.contact.updated", obj=contact, before={"a": (1, 2)}, after={"b": None}
    )
    return list(AuditEntry.objects.order_by("sequence"))


def test_entries_are_numbered_and_chained(entries):
    assert [entry.sequence for entry in entries] == list(range(1, len(entries) + 1))
    assert entries[0].previous_hash == ""
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.previous_hash == before.entry_hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.sequence, head.entry_hash) == (entries[-1].sequence, entries[-1].entry_hash)
    code, out, err = verify()
    assert code == 0, err
    assert f"{len(entries)}件" in out and "改変・欠落はありません" in out


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_entry_changed_in_the_database_is_named(entries):
    target = entries[2]
    _raw("UPDATE audit_auditentry SET actor_name = %s WHERE id = %s", ["someone-else", target.pk])
    code, out, err = verify()
    assert code == 1
    assert f"通し番号 {target.sequence}（ID {target.pk}）の記録が書き換えられています" in err


def test_a_changed_json_value_is_named(entries):
    target = entries[-1]
    AuditEntry.objects.filter(pk=target.pk).update(after={"b": "changed"})
    code, _out, err = verify()
    assert code == 1 and f"通し番号 {target.sequence}（" in err


def test_a_change_with_its_hash_recomputed_breaks_the_next_link(entries):
    target = entries[1]
    values = {**AuditEntry.objects.filter(pk=target.pk).values()[0], "action": "accounts.logout"}
    AuditEntry.objects.filter(pk=target.pk).update(action="accounts.logout", entry_hash=entry_hash(values))
    code, _out, err = verify()
    assert code == 1
    assert f"通し番号 {target.sequence} が書き換えられたか" in err


def test_a_deleted_entry_is_named(entries):
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    code, _out, err = verify()
    assert code == 1 and f"通し番号 {entries[1].sequence} の記録がありません" in err


def test_the_first_and_the_last_entries_deleted_are_named(entries):
    AuditEntry.objects.filter(pk=entries[-1].pk).delete()
    code, _out, err = verify()
    assert code == 1 and f"通し番号 {entries[-1].sequence} の記録がありません（最後の記録が削除されています）" in err
    AuditEntry.objects.filter(pk=entries[0].pk).delete()
    code, _out, err = verify()
    assert code == 1 and "通し番号 1 の記録がありません" in err


def test_a_rolled_back_write_leaves_no_gap(city):
    audit_record(actor=city.staff, action="accounts.logout")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=city.staff, action="accounts.logout")
        raise RuntimeError
    audit_record(actor=city.staff, action="accounts.logout")
    assert list(AuditEntry.objects.values_list("sequence", flat=True).order_by("sequence"))[-2:] == [
        AuditEntry.objects.count() - 1,
        AuditEntry.objects.count(),
    ]
    assert verify()[0] == 0


def test_the_migration_chains_existing_entries(city):
    """Entries written before the chain existed get numbers and hashes from the migration."""
    from django.db.migrations.executor import MigrationExecutor

    make_contact(city.staff)
    executor = MigrationExecutor(connection)
    migration = executor.loader.get_migration("audit", "0002_hash_chain")
    before = [(e.pk, e.entry_hash) for e in AuditEntry.objects.order_by("id")]
    AuditEntry.objects.update(entry_hash="", previous_hash="")
    AuditChainHead.objects.all().delete()
    chain_existing = next(op for op in migration.operations if hasattr(op, "code")).code
    from django.apps import apps

    chain_existing(apps, None)
    after = [(e.pk, e.entry_hash) for e in AuditEntry.objects.order_by("id")]
    assert after == before and verify()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(city):
    """Eight threads writing at once (each in its own connection and transaction)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself (BEGIN IMMEDIATE); the lock matters on PostgreSQL")
    errors = []

    def write():
        try:
            for _ in range(10):
                with transaction.atomic():
                    audit_record(actor=city.staff, action="accounts.logout")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert verify()[0] == 0


def test_audit_verify_runs_as_python_m_mamoru(tmp_path):
    """The command the officer runs, on a database file that four processes wrote to at
    once (SQLite: each transaction begins IMMEDIATE): exit 0, then 1 once a row is changed."""
    import os
    import sqlite3

    database = tmp_path / "db.sqlite3"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["MAMORU_SQLITE_PATH"] = str(database)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], check=True, env=env, timeout=300)
    write = (
        "import django; django.setup()\n"
        "from audit.services import audit_record\n"
        "for n in range(25): audit_record(actor=None, action='accounts.login.failed', actor_name=f'user{n}')\n"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", write], env={**env, "DJANGO_SETTINGS_MODULE": "mamoru.settings"})
        for _ in range(4)
    ]
    assert [writer.wait(timeout=300) for writer in writers] == [0, 0, 0, 0]

    def run():
        return subprocess.run(
            [sys.executable, "-m", "mamoru", "audit-verify"], env=env, capture_output=True, text=True, timeout=120
        )

    done = run()
    assert done.returncode == 0, done.stderr
    assert "監査ログ 100件を確認しました。改変・欠落はありません" in done.stdout
    with sqlite3.connect(database) as db:
        db.execute("UPDATE audit_auditentry SET actor_name = 'nobody' WHERE sequence = 3")
    done = run()
    assert done.returncode == 1
    assert "通し番号 3（ID" in done.stderr


# ---------------------------------------------------------------- syslog


@pytest.fixture
def udp_server():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    yield sock
    sock.close()


@pytest.mark.django_db(transaction=True)
def test_entries_are_forwarded_to_syslog_after_commit(city, settings, udp_server):
    settings.MAMORU_AUDIT_SYSLOG = f"udp://127.0.0.1:{udp_server.getsockname()[1]}"
    with transaction.atomic():
        entry = audit_record(actor=city.staff, action="accounts.logout")
        udp_server.settimeout(0.3)
        with pytest.raises(TimeoutError):
            udp_server.recvfrom(65535)  # nothing before the commit
    udp_server.settimeout(5)
    data, _address = udp_server.recvfrom(65535)
    header, _, message = data.partition(b" \xef\xbb\xbf")
    assert header.startswith(b"<134>1 ")  # local0.info, RFC 5424 version 1
    assert b" mamoru - accounts.logout -" in header
    sent = json.loads(message)
    assert sent["sequence"] == entry.sequence and sent["hash"] == entry.entry_hash and sent["actor"] == "staff1"

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=city.staff, action="accounts.login.failed")
        raise RuntimeError
    udp_server.settimeout(0.3)
    with pytest.raises(TimeoutError):
        udp_server.recvfrom(65535)  # a rolled-back entry is never sent


@pytest.mark.django_db(transaction=True)
def test_rfc3164_over_tcp_and_an_unreachable_server(city, settings, caplog):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(5)
    settings.MAMORU_AUDIT_SYSLOG = f"tcp://127.0.0.1:{listener.getsockname()[1]}?format=3164&facility=local4"
    audit_record(actor=city.staff, action="accounts.logout")
    peer, _ = listener.accept()
    with peer:
        peer.settimeout(5)
        data = peer.recv(65535)
    listener.close()
    assert data.startswith(b"<166>") and data.endswith(b"\n")  # local4.info
    assert b" mamoru: {" in data and b'"actor":"staff1"' in data

    # The server is gone: the entry is still written, a warning says it was not forwarded.
    entry = audit_record(actor=city.staff, action="accounts.logout")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert "not forwarded" in caplog.text


def test_syslog_addresses():
    target = syslog.SyslogTarget.parse("udp://logs.example.lg.jp")
    assert (target.transport, target.port, target.rfc, target.facility) == ("udp", 514, 5424, 16)
    assert syslog.SyslogTarget.parse("tcp://10.0.0.1:6514?format=3164").rfc == 3164
    for bad in ("logs.example:514", "http://x", "udp://x?format=1", "udp://x?facility=nope"):
        with pytest.raises(syslog.SyslogAddressError):
            syslog.SyslogTarget.parse(bad)


def test_an_entry_written_while_the_chain_is_busy_is_chained_after_commit(
    city, monkeypatch, django_capture_on_commit_callbacks
):
    """PostgreSQL: a writer that finds the end of the chain locked by another transaction
    never waits for it (it may hold locks the other one wants): its entry is written
    unchained and chained as soon as its transaction commits."""
    import audit.services as services

    audit_record(actor=city.staff, action="accounts.logout")
    real = services._chain_head
    monkeypatch.setattr(services, "_chain_head", lambda *, wait: real(wait=wait) if wait else None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        busy = audit_record(actor=city.staff, action="accounts.login.failed")
    busy.refresh_from_db()
    assert busy.sequence is None and busy.entry_hash == ""
    assert verify()[0] == 0  # waiting for its commit is not tampering
    for callback in callbacks:
        callback()
    busy.refresh_from_db()
    assert busy.sequence == AuditEntry.objects.exclude(pk=busy.pk).order_by("-sequence").first().sequence + 1
    assert verify()[0] == 0


def test_the_next_writer_chains_what_was_left_unchained(city, monkeypatch):
    import audit.services as services

    real = services._chain_head
    monkeypatch.setattr(services, "_chain_head", lambda *, wait: None)
    left = audit_record(actor=city.staff, action="accounts.login.failed")
    monkeypatch.setattr(services, "_chain_head", real)
    after = audit_record(actor=city.staff, action="accounts.logout")
    left.refresh_from_db()
    assert after.sequence == left.sequence + 1 and after.previous_hash == left.entry_hash
    assert verify()[0] == 0


def test_a_row_added_in_the_database_outside_the_chain_is_named(city):
    import datetime as dt

    from django.utils import timezone

    audit_record(actor=city.staff, action="accounts.logout")
    forged = AuditEntry.objects.create(
        action="accounts.logout", actor_name="someone", created_at=timezone.now() - dt.timedelta(hours=1)
    )
    code, _out, err = verify()
    assert code == 1 and f"ID {forged.pk} の記録がチェーンにつながっていません" in err


def test_a_wrong_syslog_address_is_refused_at_start_up(settings):
    from audit.checks import syslog_address

    settings.MAMORU_AUDIT_SYSLOG = "logs.example.lg.jp:514"
    [error] = syslog_address(None)
    assert error.id == "audit.E001" and "MAMORU_AUDIT_SYSLOG" in error.msg
    settings.MAMORU_AUDIT_SYSLOG = "udp://127.0.0.1:514"
    assert syslog_address(None) == []


def test_the_migration_chains_entries_written_before_it(tmp_path):
    """On a real database file: back to the audit log without a chain, entries written
    the old way, then ``migrate``: every entry is numbered and hashed, and verifies."""
    import os
    import sqlite3

    database = tmp_path / "db.sqlite3"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["MAMORU_SQLITE_PATH"] = str(database)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, timeout=300)
    subprocess.run([*manage, "migrate", "audit", "0001", "-v0"], check=True, env=env, timeout=300)
    with sqlite3.connect(database) as db:
        for n in range(3):
            db.execute(
                "INSERT INTO audit_auditentry (created_at, actor_name, request_id, action, object_type, object_id,"
                " object_repr, before, after) VALUES (?, ?, '', 'accounts.login.failed', '', '', '', NULL, ?)",
                [f"2026-01-0{n + 1} 09:00:00.123456", f"user{n}", json.dumps({"n": n, "名前": "x"})],
            )
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, timeout=300)
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT sequence, length(entry_hash) FROM audit_auditentry ORDER BY id").fetchall()
        head = db.execute("SELECT sequence FROM audit_auditchainhead").fetchall()
    assert rows == [(1, 64), (2, 64), (3, 64)] and head == [(3,)]
    done = subprocess.run(
        [sys.executable, "-m", "mamoru", "audit-verify"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "監査ログ 3件を確認しました" in done.stdout
