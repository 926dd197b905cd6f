"""``python -m mamoru backup`` and ``restore`` (issue 17): data made through the services
(a resident, contacts, evidence files) is backed up, restored into a fresh PostgreSQL
database and a fresh evidence folder, and every model's row count and every evidence
file's SHA-256 come back the same; a tampered backup, a non-empty target database and
a corrupted stored file are refused or reported with a non-zero exit.

It runs on PostgreSQL in both test runs, in scratch databases of its own: on the
PostgreSQL run on the same server; on the SQLite run on a throw-away server started
here with scripts/postgres.sh (on a port of its own, stopped afterwards). The commands
run in subprocesses, as an operator runs them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
PORT = "55451"  # the SQLite run's own server (the PostgreSQL run's is 55432, the worker test's 55447)

SETUP = r"""
import io, json
import django
django.setup()
from evidence.incoming import incoming_from_stream
from evidence.services import evidence_add
from tests.conftest import City
from tests.factories import make_contact, make_resident
from tests.test_evidence_pages import PNG

city = City()
resident = make_resident(city.staff)
contacts = [make_contact(city.staff, resident=resident), make_contact(city.staff), make_contact(city.supervisor)]
evidence_add(actor=city.staff, incoming=incoming_from_stream(io.BytesIO(PNG), name="窓口.png"), contact=contacts[0])
evidence_add(actor=city.staff, incoming=incoming_from_stream(io.BytesIO(PNG + b"second"), name="二枚目.png"), contact=contacts[1])
"""

COUNTS = r"""
import json
import django
django.setup()
from django.apps import apps
from evidence.models import StoredFile
print(json.dumps({
    "counts": {model._meta.label: model._base_manager.count() for model in apps.get_models()},
    "files": {row.storage_name: row.sha256 for row in StoredFile.objects.all()},
}))
"""

AUDITED = r"""
import django
django.setup()
from audit.models import AuditEntry
print(list(AuditEntry.objects.values_list("action", flat=True)))
"""


@pytest.fixture(scope="module")
def server():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        yield url
        return
    env = {**os.environ, "MAMORU_PG_PORT": PORT}
    try:
        url = subprocess.run(
            [str(ROOT / "scripts" / "postgres.sh"), "start"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        ).stdout.strip()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        pytest.fail(f"PostgreSQL (scripts/postgres.sh) did not start: {getattr(error, 'stderr', '') or error}")
    try:
        yield url
    finally:
        subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "stop"], env=env, check=False, timeout=120)


@pytest.fixture
def databases(server):
    """A factory of empty scratch databases on the server, dropped afterwards."""
    parsed = urllib.parse.urlparse(server)
    admin = parsed._replace(path="/postgres").geturl()
    made = []

    def make(tag: str) -> str:
        name = f"mamoru_backup_{tag}_{os.getpid()}"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {name}")
        made.append(name)
        return parsed._replace(path=f"/{name}").geturl()

    yield make
    with psycopg.connect(admin, autocommit=True) as connection:
        for name in made:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def environment(url: str, evidence: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "mamoru.settings",
            "MAMORU_EVIDENCE_ROOT": str(evidence),
            "MAMORU_FAST_PASSWORD_HASHER": "1",
            "MAMORU_LOG_LEVEL": "WARNING",
            "MAMORU_OTP_REQUIRED_ROLES": "",
            "PYTHONPATH": str(ROOT),
        }
    )
    if not url:  # SQLite (the worker runs in the web process there)
        env.pop("DATABASE_URL")
        env["MAMORU_WORKER"] = "eager"
    return env


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def mamoru(env: dict, *args: str) -> subprocess.CompletedProcess:
    return run(env, "-m", "mamoru", *args)


def state(env: dict) -> dict:
    result = run(env, "-c", COUNTS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_count(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]


def populate(env: dict) -> dict:
    """Migrate, then a resident, contacts and two evidence files."""
    migrated = mamoru(env, "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    made = run(env, "-c", SETUP)
    assert made.returncode == 0, made.stderr
    return env


@pytest.fixture
def source(databases, tmp_path):
    return populate(environment(databases("source"), tmp_path / "evidence-source"))


def test_backup_then_restore_into_a_fresh_database_and_storage(source, databases, tmp_path):
    before = state(source)
    backup = tmp_path / "backup"
    made = mamoru(source, "backup", "--output", str(backup))
    assert made.returncode == 0, made.stderr
    assert "バックアップが完了しました" in made.stdout

    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["sha256"] == sha256(backup / "database.dump")
    assert manifest["database"]["size"] == (backup / "database.dump").stat().st_size
    assert manifest["mamoru_version"] and "records" in manifest["migrations"]
    assert {entry["key"]: entry["sha256"] for entry in manifest["objects"]} == before["files"]
    assert len(before["files"]) == 2
    for entry in manifest["objects"]:
        assert entry["status"] == "ok"
        assert sha256(backup / "objects" / entry["key"]) == entry["sha256"]

    target_url = databases("target")
    target = environment(target_url, tmp_path / "evidence-target")
    restored = mamoru(target, "restore", "--input", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "証拠ファイル: 2 件を復元しました" in restored.stdout
    assert "復元が完了しました" in restored.stdout

    after = state(target)
    restored_entry = 1  # the restore's own audit entry
    assert after["counts"] == {
        **before["counts"],
        "audit.AuditEntry": before["counts"]["audit.AuditEntry"] + restored_entry,
    }
    for label in ("records.Contact", "people.Resident", "evidence.Evidence", "evidence.StoredFile", "audit.AuditEntry"):
        assert after["counts"][label] > 0, label
    for key, digest in before["files"].items():
        assert sha256(tmp_path / "evidence-target" / key) == digest
    # The restored audit log's chain is whole, and says the database was restored (the backup's entry is in the source).
    verified = mamoru(target, "audit-verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    with psycopg.connect(target_url) as connection:
        assert connection.execute(
            "SELECT count(*) FROM audit_auditentry WHERE action = 'operations.backup.restored'"
        ).fetchone() == (1,)
    assert "operations.backup.created" in run(source, "-c", AUDITED).stdout

    # The target is no longer empty: a second restore is refused, in Japanese, and changes nothing.
    again = mamoru(target, "restore", "--input", str(backup))
    assert again.returncode != 0
    assert "空ではありません" in again.stderr
    assert state(target)["counts"] == after["counts"]


def test_a_tampered_backup_is_reported(source, databases, tmp_path):
    backup = tmp_path / "backup"
    assert mamoru(source, "backup", "--output", str(backup)).returncode == 0
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    first, second = sorted(entry["key"] for entry in manifest["objects"])

    # A changed dump: refused before anything is written.
    broken = tmp_path / "broken-dump"
    shutil.copytree(backup, broken)
    dump = broken / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    empty_url = databases("dump")
    refused = mamoru(environment(empty_url, tmp_path / "evidence-dump"), "restore", "--input", str(broken))
    assert refused.returncode != 0
    assert "database.dump が manifest.json と一致しません" in refused.stderr
    assert table_count(empty_url) == 0

    # A backup made by a newer mamoru (a migration this version does not know): refused.
    newer = tmp_path / "newer"
    shutil.copytree(backup, newer)
    future = json.loads((newer / "manifest.json").read_text(encoding="utf-8"))
    future["migrations"]["records"].append("9999_from_the_future")
    (newer / "manifest.json").write_text(json.dumps(future), encoding="utf-8")
    refused = mamoru(environment(empty_url, tmp_path / "evidence-dump"), "restore", "--input", str(newer))
    assert refused.returncode != 0
    assert "知らないマイグレーション" in refused.stderr and "records.9999_from_the_future" in refused.stderr
    assert table_count(empty_url) == 0

    # Not a backup at all (no manifest.json).
    refused = mamoru(environment(empty_url, tmp_path / "evidence-dump"), "restore", "--input", str(tmp_path))
    assert refused.returncode != 0 and "manifest.json がありません" in refused.stderr

    # A changed evidence file: the database and the other file are restored, that one is not, exit non-zero.
    (backup / "objects" / first).write_bytes(b"tampered")
    evidence = tmp_path / "evidence-tampered"
    restored = mamoru(environment(databases("tampered"), evidence), "restore", "--input", str(backup))
    assert restored.returncode != 0
    assert first in restored.stderr and "一致しません" in restored.stderr
    assert "1 件を復元できませんでした" in restored.stderr
    assert not (evidence / first).exists()
    assert sha256(evidence / second) == second.rsplit("/", 1)[1]


def test_backup_flags_a_stored_file_that_does_not_match_the_database(source, tmp_path):
    stored = sorted((tmp_path / "evidence-source" / "sha256").rglob("*"))
    damaged = next(path for path in stored if path.is_file())
    damaged.write_bytes(b"bit rot")
    backup = tmp_path / "backup"
    made = mamoru(source, "backup", "--output", str(backup))
    assert made.returncode != 0
    assert "一致しない" in made.stderr
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    statuses = sorted(entry["status"] for entry in manifest["objects"])
    assert statuses == ["mismatch", "ok"]
    flagged = next(entry for entry in manifest["objects"] if entry["status"] == "mismatch")
    assert flagged["expected_sha256"] == damaged.name and flagged["sha256"] == sha256(damaged)

    # An existing, non-empty folder is never written over.
    again = mamoru(source, "backup", "--output", str(backup))
    assert again.returncode != 0 and "空のフォルダではありません" in again.stderr


def test_sqlite_is_refused_in_japanese(tmp_path):
    env = environment("", tmp_path / "evidence")
    env["MAMORU_SQLITE_PATH"] = str(tmp_path / "db.sqlite3")
    made = mamoru(env, "backup", "--output", str(tmp_path / "backup"))
    assert made.returncode != 0
    assert "PostgreSQL のデータベースでだけ使えます" in made.stderr
    assert not (tmp_path / "backup").exists()
    restored = mamoru(env, "restore", "--input", str(tmp_path))
    assert restored.returncode != 0
    assert "PostgreSQL のデータベースでだけ使えます" in restored.stderr


def test_backup_and_restore_through_s3_object_storage(databases, object_store, tmp_path):
    """Evidence on S3 (SeaweedFS): read from one prefix, restored under another, byte for byte."""
    run_id = f"{os.getpid()}-{time.monotonic_ns()}"

    def on_s3(url: str, prefix: str) -> dict:
        env = environment(url, tmp_path / "unused")
        env.update(object_store.environment())
        env["MAMORU_EVIDENCE_S3_PREFIX"] = prefix
        return env

    source = populate(on_s3(databases("s3source"), f"backup-source-{run_id}"))
    before = state(source)
    backup = tmp_path / "backup"
    made = mamoru(source, "backup", "--output", str(backup))
    assert made.returncode == 0, made.stderr
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["storage"] == "storages.backends.s3.S3Storage"
    assert sorted(entry["status"] for entry in manifest["objects"]) == ["ok", "ok"]

    target = on_s3(databases("s3target"), f"backup-target-{run_id}")
    restored = mamoru(target, "restore", "--input", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert state(target)["files"] == before["files"]
    client = object_store.client()
    assert sorted(object_store.keys(f"backup-target-{run_id}/")) == sorted(
        f"backup-target-{run_id}/{key}" for key in before["files"]
    )
    for key, digest in before["files"].items():
        body = client.get_object(Bucket=object_store.bucket, Key=f"backup-target-{run_id}/{key}")["Body"].read()
        assert hashlib.sha256(body).hexdigest() == digest
