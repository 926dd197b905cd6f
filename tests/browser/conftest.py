"""Real-browser tests: Playwright's sync API driving Debian's chromium
(/usr/bin/chromium, installed by ``make browser``; never a downloaded browser)
against pytest-django's ``live_server``.

One browser per test session, a fresh context (cookies, storage) per test.
Every page a test opens is watched: an uncaught JavaScript error, a console
error (a CSP violation, a failed fetch) or a failed sub-request (a script,
a stylesheet, an htmx or clock request answered 4xx/5xx) fails the test.

Without chromium these tests FAIL with a message saying how to install it.
Developers without chromium can set ``MAMORU_SKIP_BROWSER_TESTS=1`` to skip
them explicitly.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the main thread; Django
# would otherwise refuse ORM calls from the test body ("async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from tests.conftest import PASSWORD  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
SKIP_VARIABLE = "MAMORU_SKIP_BROWSER_TESTS"
# The machine is on a closed network: keep chromium from calling out.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ACTION_TIMEOUT_MS = 10_000


def _skip_requested() -> bool:
    return os.environ.get(SKIP_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


def pytest_collection_modifyitems(config, items):
    if not _skip_requested():
        return
    skip = pytest.mark.skip(reason=f"{SKIP_VARIABLE}=1: browser tests skipped on request")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, shared by every browser test of the session.
    Playwright's ``launch`` gives it a fresh temporary user-data dir."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"chromium was not found at {CHROMIUM}: install Debian's package with `make browser` "
            f"(apt-get install chromium), or set {SKIP_VARIABLE}=1 to skip the browser tests.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Exception as error:
        playwright.stop()
        pytest.fail(f"chromium at {CHROMIUM} did not start: {error}", pytrace=False)
    yield browser
    browser.close()
    playwright.stop()


class PageWatch:
    """What went wrong in the browser while a test ran."""

    def __init__(self):
        self.problems: list[str] = []
        self.document_urls: set[str] = set()
        self.dialogs: list[str] = []

    def attach(self, page):
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)
        page.on("dialog", self._dialog)

    def _console(self, message):
        if message.type != "error":
            return
        # A page answered 404/403 on purpose logs "Failed to load resource"; that one is the test's business.
        if message.text.startswith("Failed to load resource") and message.location.get("url") in self.document_urls:
            return
        self.problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def _response(self, response):
        request = response.request
        if request.resource_type == "document":
            self.document_urls.add(response.url)
        elif response.status >= 400:
            self.problems.append(f"{request.resource_type} {request.method} {response.url} answered {response.status}")

    def _request_failed(self, request):
        # A navigation away cancels the pending requests of the page being left.
        if request.failure and "ERR_ABORTED" in request.failure:
            return
        self.problems.append(f"{request.resource_type} {request.method} {request.url} failed: {request.failure}")

    def _dialog(self, dialog):
        # The app's confirmations (「対応を終了しますか？」): answer yes, like the user would.
        self.dialogs.append(dialog.message)
        dialog.accept()


@pytest.fixture(autouse=True)
def _no_websocket_on_the_wsgi_live_server(settings):
    """pytest-django's live_server speaks HTTP only (WSGI), so pages served by it
    do not open /ws/events/; tests/browser/test_backup_call.py runs real daphne."""
    settings.MAMORU_REALTIME = False


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """Open pages in fresh browser contexts (one per user): ``new_page()``."""
    contexts, watches = [], []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url,
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.new_page()
        watch = PageWatch()
        watch.attach(page)
        page.watch = watch
        contexts.append(context)
        watches.append(watch)
        return page

    yield open_page
    for context in contexts:
        context.close()
    problems = [problem for watch in watches for problem in watch.problems]
    assert not problems, "problems in the browser:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, username: str, password: str = PASSWORD):
    """Log in through the real login page, as a person would."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
    return page
