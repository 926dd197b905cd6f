"""Simultaneous sign-ins against a real server process (daphne, each request in
a thread of its own, the SQLite file of a deployment), password checks as slow
as Argon2's (issue 13: A1 and A6; docs/security/login.md)."""

import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests import servers

from .conftest import PASSWORD


@pytest.fixture(scope="module")
def database_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    servers.Cluster(folder).migrate(template=folder / "migrated.sqlite3")
    return folder / "migrated.sqlite3"


def _cluster(tmp_path, database_template, **env):
    cluster = servers.Cluster(
        tmp_path,
        extra_env={
            "DJANGO_SETTINGS_MODULE": "tests.settings_slow_hasher",
            "MAMORU_BACKUP_ESCALATION_INTERVAL": "0",
            "MAMORU_REPETITION_RECOUNT_INTERVAL": "0",
            **env,
        },
    )
    cluster.migrate(template=database_template)
    cluster.setup()
    cluster.start("a")
    return cluster


def _csrf(base: str) -> str:
    with urllib.request.urlopen(base + "/accounts/login/", timeout=10) as response:
        cookies = response.headers.get_all("Set-Cookie")
    return next(c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken="))


def _burst(base: str, attempts: list[tuple[str, str]]) -> list[int]:
    """POST these (user name, password) sign-ins all at once; their status codes."""
    token = _csrf(base)
    barrier = threading.Barrier(len(attempts))
    statuses = [0] * len(attempts)

    def sign_in(number):
        username, password = attempts[number]
        body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        request = urllib.request.Request(
            base + "/accounts/login/",
            data=body.encode(),
            method="POST",
            headers={"Cookie": f"csrftoken={token}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        barrier.wait()
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=60) as response:
                statuses[number] = response.status
        except urllib.error.HTTPError as error:
            statuses[number] = error.code

    threads = [threading.Thread(target=sign_in, args=(number,)) for number in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _audit_count(cluster, action: str) -> int:
    with sqlite3.connect(cluster.database) as db:
        return db.execute("SELECT COUNT(*) FROM audit_auditentry WHERE action = ?", (action,)).fetchone()[0]


def test_twenty_simultaneous_wrong_guesses_check_at_most_the_limit(tmp_path, database_template):
    cluster = _cluster(tmp_path, database_template, MAMORU_LOGIN_CONCURRENT_CHECKS="20")
    try:
        spellings = ["staff1", " staff1", "staff1 ", "\tstaff1", "ｓｔａｆｆ１", "staff1\u3000"]
        statuses = _burst(cluster.url("a"), [(spellings[n % len(spellings)], "wrong-guess") for n in range(20)])
        assert sorted(statuses) == [200] * 5 + [429] * 15
        assert _audit_count(cluster, "accounts.login.failed") == 5  # 5 passwords checked, not 20
        assert _audit_count(cluster, "accounts.login.blocked") == 15
        # The right password, however typed, waits too.
        assert _burst(cluster.url("a"), [("ｓｔａｆｆ１", PASSWORD)]) == [429]
    finally:
        cluster.stop()


def test_a_burst_beyond_the_hashing_bound_is_answered_at_once(tmp_path, database_template):
    """Two checks at a time and no waiting: of six simultaneous sign-ins (six
    accounts, each check taking a second), the ones finding both slots busy are
    answered 429 at once, without their password being checked."""
    cluster = _cluster(
        tmp_path,
        database_template,
        MAMORU_LOGIN_CONCURRENT_CHECKS="2",
        MAMORU_LOGIN_CHECK_WAIT_SECONDS="0",
        MAMORU_TEST_HASH_SECONDS="1",
    )
    try:
        names = ["staff1", "supervisor1", "manager1", "staff2", "specialist1", "admin"]
        started = time.monotonic()
        statuses = _burst(cluster.url("a"), [(name, "wrong-guess") for name in names])
        assert time.monotonic() - started < 3  # not six seconds of hashing one after the other
        checked = _audit_count(cluster, "accounts.login.failed")
        assert statuses.count(200) == checked
        assert 1 <= checked <= 3  # two at a time (a third only if it came after the first ended)
        assert statuses.count(429) == len(names) - checked
        # The refused ones were not counted as failures of their accounts.
        with sqlite3.connect(cluster.database) as db:
            assert db.execute("SELECT COUNT(*) FROM accounts_loginattempt").fetchone()[0] == checked
    finally:
        cluster.stop()
