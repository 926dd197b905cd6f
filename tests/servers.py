"""Real server processes for the multi-process tests, the browser test of the
backup call and the latency benchmark.

The servers are real ``daphne mamoru.asgi:application`` processes on loopback.
They share one SQLite database in a file this module migrates itself (in a
temporary folder), whatever DATABASE_URL the test run uses: several processes
must see the same rows, and pytest-django's test database lives inside the
test process. With ``redis_url`` they share a Redis channel layer; without it
each process has its own in-memory layer (the single-process default).

Users, live contacts and signed-in sessions are made by a setup script run
with the same settings, so clients can connect with a real session cookie."""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_REDIS_VARIABLE = "MAMORU_SKIP_REDIS_TESTS"

SETUP_SCRIPT = r"""
import json, sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import User
from accounts.services import user_create
from records.services import contact_start
from tests.conftest import City

options = json.loads(sys.argv[1])
city = City()
for user in (city.staff, city.zeimu_staff):
    user.workplace = "窓口3番" if user == city.staff else "内線1234"
    user.save(update_fields=["workplace"])
extra = [
    User(username=f"bench-supervisor{i}", role="supervisor", department=city.shimin, full_name=f"上司 {i}")
    for i in range(options.get("supervisors", 0))
]
if options.get("other_supervisor"):
    extra.append(User(username="supervisor-zeimu", role="supervisor", department=city.zeimu, full_name="税務 課長補佐"))
for user in extra:
    user.set_unusable_password()
User.objects.bulk_create(extra)

def session_for(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(24 * 3600)
    store.create()
    return store.session_key

users = {u.username: u for u in User.objects.all()}
contacts = [contact_start(actor=city.staff, channel="counter").pk for _ in range(options.get("contacts", 1))]
print(json.dumps({
    "sessions": {name: session_for(user) for name, user in users.items() if user.role != "administrator"},
    "users": {name: user.pk for name, user in users.items()},
    "contacts": contacts,
}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url_or_fail(pytest, database: int | None = None) -> str | None:
    """Start the test Redis (scripts/redis.sh); without it fail, unless skipped on request.
    Each test run takes a Redis database of its own (1–15, from its process id), so
    two runs at once (SQLite and PostgreSQL) do not hear each other's groups."""
    if database is None:
        database = 1 + os.getpid() % 15
    if os.environ.get(SKIP_REDIS_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on"):
        pytest.skip(f"{SKIP_REDIS_VARIABLE}=1: Redis tests skipped on request")
    try:
        url = subprocess.run(
            [str(ROOT / "scripts" / "redis.sh"), "start"], check=True, capture_output=True, text=True, timeout=300
        ).stdout.strip()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        pytest.fail(
            f"Redis is needed for the multi-process tests and did not start ({detail.strip()}). "
            f"Install Debian's redis-server (make test does), or set {SKIP_REDIS_VARIABLE}=1 to skip them.",
            pytrace=False,
        )
    return url.rsplit("/", 1)[0] + f"/{database}"


class Cluster:
    """A database file and the server processes that share it."""

    def __init__(self, folder: Path, *, redis_url: str = "", extra_env: dict | None = None):
        self.folder = folder
        self.database = folder / "db.sqlite3"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "MAMORU_REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
        }
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "mamoru.settings",
                "MAMORU_SQLITE_PATH": str(self.database),
                "MAMORU_FAST_PASSWORD_HASHER": "1",
                "MAMORU_LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT),
                # The sessions made below carry no second factor (as tests/conftest.py's _second_factor_off).
                "MAMORU_OTP_REQUIRED_ROLES": "",
            }
        )
        if redis_url:
            self.env["MAMORU_REDIS_URL"] = redis_url
        self.env.update(extra_env or {})
        self.servers: dict[str, tuple[int, subprocess.Popen]] = {}
        self.data: dict = {}

    # -- database --
    def migrate(self, *, template: Path | None = None) -> None:
        if template is not None and template.exists():
            shutil.copy(template, self.database)
            return
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True)
        if template is not None:
            shutil.copy(self.database, template)

    def setup(self, **options) -> dict:
        result = subprocess.run(
            [sys.executable, "-c", SETUP_SCRIPT, json.dumps(options)],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        self.data = json.loads(result.stdout.strip().splitlines()[-1])
        return self.data

    # -- servers --
    def start(self, name: str, port: int | None = None, *, wsgi: bool = False) -> int:
        """Serve mamoru on loopback: ``daphne mamoru.asgi:application`` (pages and WebSockets), or
        with ``wsgi`` gunicorn with one sync worker, as docs/deploy.md has production take uploads.
        Returns the port once ``/healthz`` answers."""
        port = port or free_port()
        if wsgi:
            argv = ["gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "600", "mamoru.wsgi:application"]
        else:
            argv = ["daphne", "-b", "127.0.0.1", "-p", str(port), "mamoru.asgi:application"]
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "-m", *argv],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.servers[name] = (port, process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server {name} exited: see {self.folder / (name + '.log')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return port
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError(f"server {name} did not answer on port {port}")

    def kill(self, name: str) -> None:
        port, process = self.servers.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        for name in list(self.servers):
            port, process = self.servers.pop(name)
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def port(self, name: str) -> int:
        return self.servers[name][0]

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port(name)}"

    def ws_url(self, name: str) -> str:
        return f"ws://127.0.0.1:{self.port(name)}/ws/events/"

    # -- clients --
    def cookie(self, username: str) -> str:
        return f"sessionid={self.data['sessions'][username]}"

    def csrf_token(self, name: str, username: str) -> str:
        """The CSRF token a page (the home page) gives this signed-in user."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        headers = {"Cookie": self.cookie(username)}
        opener.open(urllib.request.Request(self.url(name) + "/", headers=headers), timeout=10).read()
        return next(cookie.value for cookie in jar if cookie.name == "csrftoken")

    def post(
        self, name: str, username: str, path: str, fields: dict | None = None, *, token: str | None = None
    ) -> tuple[int, dict]:
        """POST as a signed-in user, with the CSRF cookie and header a browser would send
        (``token`` from ``csrf_token``: the page is already open, as a browser's is)."""
        opener = urllib.request.build_opener()
        base = self.url(name)
        token = token or self.csrf_token(name, username)
        body = urllib.parse.urlencode(fields or {}).encode()
        request = urllib.request.Request(
            base + path,
            data=body,
            method="POST",
            headers={
                "Cookie": f"{self.cookie(username)}; csrftoken={token}",
                "X-CSRFToken": token,
                "Accept": "application/json",
                "Referer": base + "/",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            with opener.open(request, timeout=10) as response:
                body = response.read()  # a page (after a redirect) rather than JSON: no data
                return response.status, json.loads(body) if "json" in response.headers.get("Content-Type", "") else {}
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def ws_headers(self, name: str, username: str) -> dict:
        return {"Cookie": self.cookie(username), "Origin": self.url(name)}


def run_async(coroutine_function) -> None:
    """Run an async test scenario in a thread of its own: the browser tests'
    Playwright keeps an event loop running in the main thread for the session."""
    import asyncio
    import threading

    errors = []

    def target():
        try:
            asyncio.run(coroutine_function())
        except BaseException as error:  # re-raised in the test's thread
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
