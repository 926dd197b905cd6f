"""What ``/healthz`` reports, and whether the database can be reached at all.

Each check answers a small dict with a ``status`` of ``ok``, ``degraded``,
``down`` or ``not used`` and a few figures; never personal data. The checks
are bounded: a ``SELECT 1``, a ping, and counts of the worker's waiting and
running jobs read through procrastinate's partial indexes (never its history).
Timeouts are short so that a load balancer polling every few seconds never
piles up requests behind a hung server."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import Error, connections, transaction

# Seconds a health query may run before it is cancelled (PostgreSQL's statement_timeout).
QUERY_TIMEOUT_MS = 2000
# Seconds to wait for Redis to answer a ping.
REDIS_TIMEOUT = 1.0


def database_reachable(alias: str = "default") -> bool:
    """Whether a fresh connection to the database can be opened right now.

    Opened beside Django's own connection (which may be broken or inside a
    failed transaction) and closed at once; the connect timeout comes from the
    database settings (``connect_timeout`` for PostgreSQL)."""
    wrapper = connections[alias]
    try:
        raw = wrapper.get_new_connection(wrapper.get_connection_params())
    except Exception:  # psycopg/sqlite3 errors are not Django's here: any failure means "cannot connect"
        return False
    try:
        raw.close()
    except Exception:
        pass
    return True


def _is_postgresql(alias: str = "default") -> bool:
    return connections[alias].vendor == "postgresql"


def check_database() -> dict:
    started = time.monotonic()
    try:
        if _is_postgresql():
            with transaction.atomic(), connections["default"].cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {QUERY_TIMEOUT_MS}")
                cursor.execute("SELECT 1")
                cursor.fetchone()
        else:  # SQLite: no transaction (mamoru's begin IMMEDIATE, which would take the write lock)
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except Error as error:
        # The class name says what failed (OperationalError…); the message may hold the host, so it stays in the log.
        return {"status": "down", "error": type(error).__name__}
    return {"status": "ok", "vendor": connections["default"].vendor, "ms": round((time.monotonic() - started) * 1000)}


def check_redis() -> dict:
    """Redis carries the channels layer (alerts between server processes) and the cache
    when ``MAMORU_REDIS_URL`` is set; without it both live in each process's memory."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return {"status": "not used", "detail": "channels layer and cache in process memory"}
    import redis

    started = time.monotonic()
    client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
    try:
        client.ping()
    except redis.RedisError as error:
        return {"status": "degraded", "error": type(error).__name__}
    finally:
        client.close()
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000)}


def check_worker() -> dict:
    """The background worker's queue (procrastinate, in PostgreSQL): jobs waiting
    (``todo``, due now), jobs running (``doing``) and how long the oldest waiting job
    has waited. Degraded when that exceeds ``MAMORU_HEALTH_QUEUE_MAX_AGE`` seconds:
    the worker is stopped or cannot keep up."""
    if getattr(settings, "MAMORU_WORKER", "eager") != "procrastinate":
        return {"status": "not used", "detail": "jobs run in the web process (MAMORU_WORKER=eager)"}
    limit = settings.MAMORU_HEALTH_QUEUE_MAX_AGE
    try:
        with transaction.atomic():
            with connections["default"].cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {QUERY_TIMEOUT_MS}")
                # Both filters match procrastinate's partial indexes on status: the queue, not the history.
                cursor.execute(
                    "SELECT"
                    " count(*) FILTER (WHERE status = 'todo' AND (scheduled_at IS NULL OR scheduled_at <= now())),"
                    " count(*) FILTER (WHERE status = 'doing')"
                    " FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
                )
                todo, doing = cursor.fetchone()
                cursor.execute(
                    "SELECT EXTRACT(EPOCH FROM now() - coalesce(j.scheduled_at,"
                    "  (SELECT min(e.at) FROM procrastinate_events e WHERE e.job_id = j.id)))"
                    " FROM procrastinate_jobs j"
                    " WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())"
                    " ORDER BY j.id LIMIT 1"
                )
                row = cursor.fetchone()
    except Error as error:
        return {"status": "degraded", "error": type(error).__name__}
    oldest = max(0, round(float(row[0]))) if row and row[0] is not None else None
    status = "degraded" if oldest is not None and oldest > limit else "ok"
    return {"status": status, "todo": todo, "doing": doing, "oldest_waiting_seconds": oldest, "max_age_seconds": limit}


def health_report() -> tuple[str, dict]:
    """(overall status, the checks). ``down`` when the database cannot be used: nothing
    works without it. ``degraded`` when any other check is: pages work, but alerts
    between processes (Redis) or the background analysis (worker) may lag."""
    checks = {"database": check_database()}
    if checks["database"]["status"] == "down":
        checks["redis"] = check_redis()
        checks["worker"] = {"status": "unknown", "detail": "the queue lives in the database"}
        return "down", checks
    checks["redis"] = check_redis()
    checks["worker"] = check_worker()
    return ("degraded" if degraded_checks(checks) else "ok"), checks


def degraded_checks(checks: dict) -> list[str]:
    return [name for name, check in checks.items() if check["status"] == "degraded"]
