"""The real worker (procrastinate, queue in PostgreSQL): a recording uploaded is analysed
by a separate ``python -m mamoru evidence-worker`` process; a worker killed with SIGKILL
in the middle of an analysis loses no job — the next worker puts it back in the queue
and finishes it.

It runs on PostgreSQL in both test runs: on the PostgreSQL run, in a database of its own
on the same server; on the SQLite run, on a throw-away server started here with
scripts/postgres.sh (on a port of its own, stopped afterwards). Everything runs in
subprocesses, as in production: the upload, the workers; the test reads the database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psycopg
import pytest

from . import audio as made

ROOT = Path(__file__).resolve().parent.parent
PORT = "55447"  # the SQLite run's own server (the PostgreSQL run's is 55432)

SETUP = r"""
import json, sys
from pathlib import Path
import django
django.setup()
from evidence.incoming import incoming_from_path
from evidence.models import RecordingAnalysis
from evidence.services import evidence_add
from tests.conftest import City
from tests.factories import make_contact

city = City()
contact = make_contact(city.staff)
added = evidence_add(actor=city.staff, incoming=incoming_from_path(Path(sys.argv[1]), name="一時間の録音.mp3"), contact=contact)
analysis = RecordingAnalysis.objects.get(stored_file=added.evidence.stored_file)
from django.contrib import admin
print(json.dumps({
    "evidence": added.evidence.pk,
    "analysis": analysis.pk,
    "status": analysis.status,
    "admin": sorted(model._meta.label for model in admin.site._registry),
}))
"""


@pytest.fixture(scope="module")
def server():
    """(server URL without a database, whether we started it)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        yield url, False
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
        yield url, True
    finally:
        subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "stop"], env=env, check=False, timeout=120)


@pytest.fixture
def database(server):
    base, _started = server
    parsed = urllib.parse.urlparse(base)
    name = f"mamoru_worker_{os.getpid()}"
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    url = parsed._replace(path=f"/{name}").geturl()
    yield url
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def environment(database, tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.update(
        {
            "DATABASE_URL": database,
            "DJANGO_SETTINGS_MODULE": "mamoru.settings",
            "MAMORU_WORKER": "procrastinate",
            "MAMORU_WORKER_STALLED_SECONDS": "2",
            "MAMORU_EVIDENCE_ROOT": str(tmp_path / "evidence"),
            "MAMORU_FAST_PASSWORD_HASHER": "1",
            "MAMORU_LOG_LEVEL": "WARNING",
            "MAMORU_OTP_REQUIRED_ROLES": "",
            "PYTHONPATH": str(ROOT),
        }
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def start_worker(env, log):
    return subprocess.Popen(
        [sys.executable, "-m", "mamoru", "evidence-worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def analysis_row(url: str, pk: int) -> dict:
    with psycopg.connect(url) as connection:
        status, attempts, progress, duration, segments = connection.execute(
            "SELECT status, attempts, progress_seconds, duration_seconds, segments "
            "FROM evidence_recordinganalysis WHERE id = %s",
            [pk],
        ).fetchone()
        jobs = connection.execute("SELECT status::text FROM procrastinate_jobs ORDER BY id").fetchall()
        custody = connection.execute("SELECT count(*) FROM evidence_custodyevent WHERE kind = 'analysed'").fetchone()[0]
    return {
        "status": status,
        "attempts": attempts,
        "progress": progress,
        "duration": duration,
        "segments": segments,
        "jobs": [job for (job,) in jobs],
        "custody": custody,
    }


def wait_for(predicate, url, pk, *, timeout: float, every: float = 0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = analysis_row(url, pk)
        if predicate(row):
            return row
        time.sleep(every)
    raise AssertionError(f"timed out; last state {analysis_row(url, pk)}")


def test_a_worker_killed_mid_analysis_loses_no_job(environment, database, tmp_path):
    made.tools_or_fail(pytest)
    wav = made.long_recording(tmp_path, 60 * 60)
    recording = tmp_path / "hour.mp3"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-b:a", "32k", str(recording)], check=True
    )
    wav.unlink()
    result = subprocess.run(
        [sys.executable, "-c", SETUP, str(recording)],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    uploaded = json.loads(result.stdout.strip().splitlines()[-1])
    pk = uploaded["analysis"]
    # The upload committed its job with it; nothing has run it yet.
    assert uploaded["status"] == "pending"
    # procrastinate's job tables stay off the administrator's admin site (least privilege).
    assert uploaded["admin"] == ["accounts.Department", "accounts.User"]
    assert analysis_row(database, pk)["jobs"] == ["todo"]

    log = open(tmp_path / "workers.log", "ab")  # noqa: SIM115 - closed at the end
    first = start_worker(environment, log)
    second = None
    try:
        wait_for(lambda row: row["status"] == "running", database, pk, timeout=60)
        first.send_signal(signal.SIGSTOP)  # frozen in the middle of the analysis…
        frozen = analysis_row(database, pk)
        assert frozen["status"] == "running" and frozen["jobs"] == ["doing"], frozen
        first.send_signal(signal.SIGKILL)  # …and killed: no chance to clean up
        first.wait(timeout=10)
        time.sleep(0.5)
        assert analysis_row(database, pk)["status"] == "running"  # nobody finishes it by itself

        second = start_worker(environment, log)
        done = wait_for(lambda row: row["status"] == "done", database, pk, timeout=120, every=0.2)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        log.close()
    assert done["attempts"] == 2, done
    assert abs(done["duration"] - 3600) < 2
    assert done["segments"] == []  # ordinary speech every minute, nothing raised
    assert done["custody"] == 1  # one analysed event for the one piece of evidence
    assert done["jobs"] in ([], ["succeeded"]), done  # finished (successful jobs are deleted), none lost or failed
