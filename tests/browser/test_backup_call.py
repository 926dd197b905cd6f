"""応援要請 in real browsers against a real daphne server (the single-process
default: in-memory channel layer): a 職員 presses 応援要請, a 上司 on another
page sees the alert and takes it, the 職員 sees who is coming, and a 管理職's
alert shows that it is taken. And a page whose server process is killed
reconnects by itself and shows the call made (through the other process,
Redis between them) while its server was down."""

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from tests import servers

from .conftest import ACTION_TIMEOUT_MS, PageWatch, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    cluster = servers.Cluster(tmp_path, extra_env={"MAMORU_BACKUP_ESCALATION_INTERVAL": "0"})
    cluster.migrate()
    cluster.setup(contacts=2)
    cluster.start("single")
    yield cluster
    cluster.stop()


@pytest.fixture
def open_page(browser, server):
    contexts, watches = [], []

    def open_one():
        context = browser.new_context(
            base_url=server.url("single"),
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.new_page()
        watch = PageWatch()
        watch.attach(page)
        contexts.append(context)
        watches.append(watch)
        return page

    yield open_one
    for context in contexts:
        context.close()
    problems = [problem for watch in watches for problem in watch.problems]
    assert not problems, "problems in the browser:\n" + "\n".join(problems)


def _connected(page):
    expect(page.locator("#realtime-alerts")).to_have_attribute("data-connected", "true")


def _calls(server):
    with sqlite3.connect(server.database) as db:
        return db.execute("SELECT contact_id, reason, taken_by_id FROM backup_calls_backupcall ORDER BY id").fetchall()


def test_staff_calls_supervisor_takes_staff_sees_who_is_coming(server, open_page):
    first, second = server.data["contacts"]
    staff = log_in(open_page(), "staff1")
    staff.goto(f"/contacts/{first}/")
    supervisor = log_in(open_page(), "supervisor1")
    supervisor.goto("/contacts/")  # another page
    manager = log_in(open_page(), "manager1")
    outsider = log_in(open_page(), "staff2")
    for page in (supervisor, manager, outsider):
        _connected(page)

    staff.get_by_label("理由（任意・1行）").fill("大声で威嚇されている")
    staff.get_by_role("button", name="応援要請").dblclick()
    expect(staff.locator("[data-backup-status]")).to_have_text("応援を要請しました。対応者を待っています…")

    alert = supervisor.locator("[data-backup-alert]")
    expect(alert).to_be_visible(timeout=1500)
    expect(alert).to_contain_text("市民 一郎（市民課）")
    expect(alert).to_contain_text("窓口・内線: 窓口3番")
    expect(alert).to_contain_text("大声で威嚇されている")
    expect(alert.get_by_role("link", name=re.compile(r"対応記録 No\.0*" + str(first)))).to_have_attribute(
        "href", f"/contacts/{first}/"
    )
    expect(alert.locator("[data-backup-elapsed]")).to_contain_text(re.compile(r"対応時間 \d\d:\d\d"))
    expect(supervisor.get_by_role("button", name="通知音オン")).to_be_visible()
    expect(manager.locator("[data-backup-alert]")).to_be_visible()
    assert len(_calls(server)) == 1  # the double click made one call

    alert.get_by_role("button", name="向かいます").click()
    expect(alert).to_contain_text("あなたが対応します。")
    expect(staff.locator("[data-backup-status]")).to_have_text("市民 課長補佐さんが向かっています。", timeout=1500)
    expect(manager.locator("[data-backup-alert]")).to_contain_text("対応者: 市民 課長補佐")
    expect(manager.get_by_role("button", name="向かいます")).to_be_hidden()
    expect(outsider.locator("[data-backup-alert]")).to_have_count(0)

    # The steps are kept on the contact.
    staff.reload()
    steps = staff.locator(".backup-steps")
    expect(steps).to_contain_text("応援要請（市民 一郎）")
    expect(steps).to_contain_text("向かいます（市民 課長補佐）")

    # The keyboard shortcut (F9) on the second live contact; the sound can be switched off.
    supervisor.get_by_role("button", name="通知音オン").click()
    expect(supervisor.get_by_role("button", name="通知音オフ")).to_be_visible()
    staff.goto(f"/contacts/{second}/")
    staff.keyboard.press("F9")
    expect(supervisor.locator("[data-backup-alert]")).to_have_count(2)
    supervisor.reload()
    expect(supervisor.get_by_role("button", name="通知音オフ")).to_be_visible()
    # After a reload only the untaken call is pending.
    expect(supervisor.locator("[data-backup-alert]")).to_have_count(1)
    assert [row[0] for row in _calls(server)] == [first, second]


class RestartWatch(PageWatch):
    """While the test restarts the server on purpose, the page's failed
    reconnect attempts are expected; anything else still fails the test."""

    def _console(self, message):
        if message.type == "error" and message.text.startswith("WebSocket connection to"):
            return
        super()._console(message)


def test_page_reconnects_after_its_server_restarts_and_shows_the_call_made_meanwhile(browser, tmp_path):
    cluster = servers.Cluster(
        tmp_path,
        redis_url=servers.redis_url_or_fail(pytest),
        extra_env={"MAMORU_BACKUP_ESCALATION_INTERVAL": "0"},
    )
    cluster.migrate()
    cluster.setup(contacts=1)
    (contact,) = cluster.data["contacts"]
    context = None
    try:
        cluster.start("a")
        port_b = cluster.start("b")
        context = browser.new_context(base_url=cluster.url("b"), locale="ja-JP", timezone_id="Asia/Tokyo")
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.new_page()
        watch = RestartWatch()
        watch.attach(page)
        log_in(page, "supervisor1")
        _connected(page)

        cluster.kill("b")
        expect(page.locator("#realtime-alerts")).to_have_attribute("data-connected", "false")
        status, _ = cluster.post("a", "staff1", f"/backup-calls/contacts/{contact}/call/", {"reason": "再起動中の要請"})
        assert status == 201
        cluster.start("b", port_b)

        alert = page.locator("[data-backup-alert]")
        expect(alert).to_contain_text("再起動中の要請", timeout=20_000)
        expect(alert.get_by_role("button", name="向かいます")).to_be_visible()
        assert not watch.problems, watch.problems
    finally:
        if context is not None:
            context.close()
        cluster.stop()
