"""/healthz (issue 17): the JSON a load balancer and monitoring poll, without signing in;
and the 500 handler that becomes the 503 page only when the database is really unreachable.
The database-down path against a real PostgreSQL is in tests/test_database_down.py."""

from __future__ import annotations

import socket

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from mamoru.views import server_error


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_healthz_answers_json_without_signing_in(settings):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    # The test settings run the in-memory channels layer; the worker runs eagerly on SQLite
    # and as procrastinate's queue on PostgreSQL (empty here).
    assert body["checks"]["redis"]["status"] == "not used"
    worker = "ok" if settings.MAMORU_WORKER == "procrastinate" else "not used"
    assert body["checks"]["worker"]["status"] == worker
    assert "degraded" not in body


@pytest.mark.django_db
def test_healthz_is_degraded_not_down_when_redis_is_unreachable(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["redis"]
    assert body["checks"]["redis"]["status"] == "degraded"
    assert body["checks"]["redis"]["error"] == "ConnectionError"


@pytest.mark.django_db
def test_healthz_pings_a_real_redis(settings):
    from tests.servers import redis_url_or_fail

    settings.REDIS_URL = redis_url_or_fail(pytest)
    body = Client().get("/healthz").json()
    assert body["checks"]["redis"]["status"] == "ok"
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_a_database_error_with_the_database_reachable_stays_a_500():
    """A locked SQLite file or a cancelled statement is not "the database is down"."""
    request = RequestFactory().get("/contacts/")
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 500
    assert "エラーが発生しました" in response.content.decode()


@pytest.mark.django_db
def test_another_error_stays_a_500_and_the_api_a_json_500():
    for path, content_type in (("/contacts/", "text/html"), ("/api/contacts", "application/json")):
        request = RequestFactory().get(path)
        try:
            raise ValueError("a bug")
        except ValueError:
            response = server_error(request)
        assert response.status_code == 500
        assert response["Content-Type"].startswith(content_type)
