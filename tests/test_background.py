"""The background jobs of every server process (mamoru.background): each job
runs every interval on the process's event loop, once per loop however many
requests start it, survives a failure, and is off at interval 0."""

import asyncio
import threading

import pytest

from mamoru import background

CALLS = {"steady": 0, "flaky": 0, "off": 0, "busy": 0}
BACKLOG = {"left": 0}


def in_a_fresh_thread(function):
    """Run ``function`` in a thread of its own: a server process's thread, with
    no event loop of the test run's (Playwright's) around it."""
    result = []
    thread = threading.Thread(target=lambda: result.append(function()))
    thread.start()
    thread.join(timeout=30)
    return result[0]


def steady():
    CALLS["steady"] += 1


def flaky():
    CALLS["flaky"] += 1
    raise RuntimeError("database hiccup")


def off():
    CALLS["off"] += 1


def busy():
    """A job with a backlog: a short pass each time, saying how much it did."""
    CALLS["busy"] += 1
    done = min(BACKLOG["left"], 10)
    BACKLOG["left"] -= done
    return done


@pytest.mark.django_db(transaction=True)  # the jobs run in a thread that opens its own connection
def test_each_job_runs_on_its_interval_once_per_loop_and_survives_failures(settings, caplog):
    settings.MAMORU_BACKGROUND_JOBS = (
        ("tests.test_background.steady", "TEST_STEADY_INTERVAL"),
        ("tests.test_background.flaky", "TEST_FLAKY_INTERVAL"),
        ("tests.test_background.off", "TEST_OFF_INTERVAL"),
    )
    settings.TEST_STEADY_INTERVAL = settings.TEST_FLAKY_INTERVAL = 0.02
    settings.TEST_OFF_INTERVAL = 0
    for name in CALLS:
        CALLS[name] = 0

    async def serve_a_few_requests():
        for _ in range(5):
            background.ensure_running()  # every request asks; one loop per job runs
            await asyncio.sleep(0.05)
        return sum(1 for (loop_id, _path) in background._tasks if loop_id == id(asyncio.get_running_loop()))

    running = in_a_fresh_thread(lambda: asyncio.run(serve_a_few_requests()))
    assert running == 2
    assert 5 <= CALLS["steady"] <= 20
    assert CALLS["flaky"] >= 5, "a failing job keeps running"
    assert "background job tests.test_background.flaky failed" in caplog.text
    assert CALLS["off"] == 0


def test_nothing_starts_outside_an_event_loop(settings):
    settings.MAMORU_BACKGROUND_JOBS = (("tests.test_background.steady", "TEST_STEADY_INTERVAL"),)
    settings.TEST_STEADY_INTERVAL = 0.01
    before = dict(background._tasks)
    in_a_fresh_thread(background.ensure_running)
    assert background._tasks == before


@pytest.mark.django_db(transaction=True)
def test_a_job_with_work_left_runs_again_at_once_in_short_passes(settings):
    """A backlog is worked through in short passes, one after another (each lets the
    pages' work in between), not one long pass nor one pass per interval."""
    settings.MAMORU_BACKGROUND_JOBS = (("tests.test_background.busy", "TEST_BUSY_INTERVAL"),)
    settings.TEST_BUSY_INTERVAL = 30  # far longer than the test
    CALLS["busy"], BACKLOG["left"] = 0, 95

    async def wait():
        background.ensure_running()
        await asyncio.sleep(0.5)

    in_a_fresh_thread(lambda: asyncio.run(wait()))
    assert BACKLOG["left"] == 0
    assert CALLS["busy"] == 11  # ten passes of up to 10, then one that found nothing and waits


def test_the_recount_runs_in_short_steps(settings):
    assert ("repetition.services.repetition_recount_step", "MAMORU_REPETITION_RECOUNT_INTERVAL") in (
        settings.MAMORU_BACKGROUND_JOBS
    )
