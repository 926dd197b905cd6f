"""PostgreSQL stopped under a running server, then started again (issue 17, faults).

A real PostgreSQL of the test's own (scripts/postgres.sh on a port of its own, with its
own data directory, stopped afterwards: never the server the PostgreSQL test run uses)
and a real ``daphne mamoru.asgi:application`` process on it. While the database is
down, pages answer the Japanese 503 page, the API JSON 503 and /healthz "down"; once it
is back, the same server process answers normally: no restart.
Skipped when Debian's PostgreSQL binaries are not installed."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent


def _postgres(command: str, env: dict) -> str:
    return subprocess.run(
        [str(ROOT / "scripts" / "postgres.sh"), command],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout.strip()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(NoRedirect)  # a redirect to the login page is the answer to check


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        pytest.skip("Debian's PostgreSQL (postgresql package) is not installed")
    folder = tmp_path_factory.mktemp("database-down")
    # A port nothing listens on (never 55432, the PostgreSQL test run's server, nor another
    # test's) and a data directory of its own, removed afterwards. Under /tmp, not pytest's
    # private folders: the server runs as its own user, which must reach the directory.
    data = tempfile.mkdtemp(prefix="mamoru-database-down-", dir="/tmp")
    pg_env = {**os.environ, "MAMORU_PG_PORT": str(free_port()), "MAMORU_PG_DATA": data}
    try:
        url = _postgres("start", pg_env)
    except subprocess.CalledProcessError as error:
        pytest.fail(f"PostgreSQL (scripts/postgres.sh) did not start: {error.stderr}")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "mamoru.settings",
        "MAMORU_DB_CONNECT_TIMEOUT": "3",
        "MAMORU_WORKER": "procrastinate",
        "MAMORU_HEALTH_QUEUE_MAX_AGE": "600",
        "MAMORU_SECRET_KEY": "database-down-test-" + "x" * 40,
    }
    env.pop("MAMORU_REDIS_URL", None)
    server = None
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        port = free_port()
        log = open(folder / "daphne.log", "ab")  # noqa: SIM115 - closed with the process
        server = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "mamoru.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"daphne did not start: see {folder / 'daphne.log'}")
            time.sleep(0.2)
        yield base, pg_env, url
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "stop"], env=pg_env, check=False, timeout=120)
        shutil.rmtree(data, ignore_errors=True)


# A session cookie makes every page read the sessions table (no such session: the login page).
PAGE_HEADERS = {"Cookie": "sessionid=nosuchsession0000000000000000000"}
# A key of the right form is looked up in the tokens table (no such token: 401).
API_HEADERS = {"Authorization": "Bearer mamoru_not-a-real-token"}


def test_postgresql_down_gives_503_then_recovers_without_a_restart(stack):
    base, pg_env, _url = stack
    status, _headers, body = _get(base + "/healthz")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok"
    assert health["checks"]["database"]["vendor"] == "postgresql"
    # On PostgreSQL the worker is procrastinate: its queue is read (empty here).
    assert health["checks"]["worker"] == {
        "status": "ok",
        "todo": 0,
        "doing": 0,
        "oldest_waiting_seconds": None,
        "max_age_seconds": 600,
    }
    assert _get(base + "/contacts/", PAGE_HEADERS)[0] == 302  # to the login page
    assert _get(base + "/api/contacts", API_HEADERS)[0] == 401

    _postgres("stop", pg_env)

    status, headers, body = _get(base + "/contacts/", PAGE_HEADERS)
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "ただいまデータベースに接続できません。しばらくしてから再度お試しください。" in body
    assert "紙の記録様式" in body
    status, headers, body = _get(base + "/api/contacts", API_HEADERS)
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["detail"] == "ただいまデータベースに接続できません。しばらくしてから再度お試しください。"
    status, _headers, body = _get(base + "/healthz")
    assert status == 503
    health = json.loads(body)
    assert health["status"] == "down"
    assert health["checks"]["database"] == {"status": "down", "error": "OperationalError"}
    # Pages that need no database still work (the login page, drawn without a session).
    assert _get(base + "/accounts/login/")[0] == 200

    _postgres("start", pg_env)

    status, _headers, body = _get(base + "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert _get(base + "/contacts/", PAGE_HEADERS)[0] == 302
    assert _get(base + "/api/contacts", API_HEADERS)[0] == 401


def test_a_job_waiting_too_long_makes_healthz_degraded(stack):
    """The worker stopped: a job due an hour ago still waits. Pages work (200), monitoring sees it."""
    base, _pg_env, url = stack
    with psycopg.connect(url, autocommit=True) as connection:
        job = connection.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, scheduled_at)"
            " VALUES ('evidence', 'evidence.analyse_recording', now() - interval '1 hour') RETURNING id"
        ).fetchone()[0]
        try:
            status, _headers, body = _get(base + "/healthz")
        finally:
            connection.execute("DELETE FROM procrastinate_jobs WHERE id = %s", [job])
    health = json.loads(body)
    assert status == 200
    assert health["status"] == "degraded"
    assert health["degraded"] == ["worker"]
    worker = health["checks"]["worker"]
    assert worker["status"] == "degraded" and worker["todo"] == 1 and worker["doing"] == 0
    assert 3600 <= worker["oldest_waiting_seconds"] < 3700
