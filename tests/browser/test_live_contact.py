"""The live contact in a real browser: one-click start, the clock, the record
form, 対応終了, search, and another department's staff kept out."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from records.models import Contact
from records.services import ContactData, contact_create

from .conftest import log_in

pytestmark = pytest.mark.browser

# 0.3 s per timer minute: the warning (25 min) at 7.5 s, the limit (30 min) at 9 s —
# slow enough that a busy CI machine still sees each state.
SECONDS_PER_MINUTE = 0.3


def _clock_state_is(state):
    """A browser-side check of the clock's state and which message is showing
    (polled every frame: the warning lasts only half a second here)."""
    return f"""() => {{
        const clock = document.querySelector('[data-clock]');
        if (!clock || clock.dataset.state !== '{state}') return false;
        const shown = (selector) => !clock.querySelector(selector).hidden;
        return shown('[data-clock-{state}]')
            && ['normal', 'warning', 'limit'].filter((s) => s !== '{state}').every((s) => !shown('[data-clock-' + s + ']'));
    }}"""


def _timer_minutes(text):
    """'35:12' → 35, '1:02:03' → 62."""
    parts = [int(part) for part in text.split(":")]
    return parts[0] * 60 + parts[1] if len(parts) == 3 else parts[0]


def test_live_clock_passes_warning_and_limit_and_survives_reload(page, city, settings):
    settings.MAMORU_TIMER_SECONDS_PER_MINUTE = SECONDS_PER_MINUTE
    log_in(page, "staff1")

    page.get_by_role("button", name="▶ 対応開始（窓口）").click()
    page.wait_for_url(re.compile(r"/contacts/\d+/$"))
    contact = Contact.objects.get()
    assert contact.staff == city.staff and contact.channel == "counter" and contact.ended_at is None
    clock = page.locator("[data-clock]")
    expect(clock).to_be_visible()
    expect(page.get_by_text("対応中").first).to_be_visible()
    expect(clock.locator("[data-clock-normal]")).to_contain_text("原則 30 分以内")

    page.wait_for_function(_clock_state_is("warning"), polling="raf", timeout=20_000)
    expect(clock.locator("[data-clock-warning]")).to_contain_text("まもなく 30 分です。")

    page.wait_for_function(_clock_state_is("limit"), polling="raf", timeout=20_000)
    limit = clock.locator("[data-clock-limit]")
    expect(limit).to_be_visible()
    expect(limit).to_contain_text("対応時間が 30 分を超えました。")
    expect(limit).to_contain_text("原則として30分以内とします")
    page.screenshot(path="/tmp/mamoru-live-contact.png", full_page=True)
    started = clock.get_attribute("data-started")

    # A reload (or a second device) continues from the server's start time, not from zero.
    page.reload()
    clock = page.locator("[data-clock]")
    assert clock.get_attribute("data-started") == started
    expect(clock).to_have_attribute("data-state", "limit")
    expect(clock.locator("[data-clock-limit]")).to_be_visible()
    assert _timer_minutes(clock.locator("[data-clock-time]").inner_text()) >= 30


WORDS = "「税金泥棒」「土下座しろ」「お前では話にならない、課長を出せ」と大声で繰り返した。"


def test_record_harassment_end_contact_and_find_it_by_japanese_search(page, city):
    log_in(page, "staff1")
    page.get_by_role("button", name="▶ 対応開始（窓口）").click()
    page.wait_for_url(re.compile(r"/contacts/\d+/$"))
    contact = Contact.objects.get()

    started_at = contact.started_at
    page.get_by_role("link", name="記録を入力する").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/edit/")
    expect(page.locator("[data-clock]")).to_be_visible()
    page.get_by_label("件名").fill("固定資産税の減免についての苦情")
    page.get_by_label("意見等の内容").fill("固定資産税を減免してほしいとの要望。")
    page.get_by_label("住民等の言動").fill(WORDS)
    page.get_by_label("職員の対応").fill("制度の説明をし、減免の要件に当たらないことを伝えた。")
    page.get_by_label("該当する", exact=True).check()
    page.get_by_label("暴言").check()
    page.get_by_label("過度の要求").check()
    page.screenshot(path="/tmp/mamoru-record-form.png", full_page=True)
    page.get_by_role("button", name="保存").click()

    page.wait_for_url(f"**/contacts/{contact.pk}/")
    expect(page.get_by_text("対応記録を保存しました。")).to_be_visible()
    record = page.locator("table.record")
    expect(record).to_contain_text("「税金泥棒」「土下座しろ」")
    assert sorted(record.locator(".tag").all_inner_texts()) == ["暴言", "過度の要求"]
    expect(page.locator("[data-clock]")).to_be_visible()  # still live: saving does not end the contact
    contact.refresh_from_db()
    assert contact.started_at == started_at  # the form shows minutes; saving keeps the exact start

    page.get_by_role("button", name="■ 対応終了").first.click()
    page.wait_for_url(f"**/contacts/{contact.pk}/edit/#judgement")  # the form opens at the judgement
    assert page.watch.dialogs == ["対応を終了しますか？"]
    expect(page.get_by_text("対応を終了しました。")).to_be_visible()
    expect(page.locator("[data-clock]")).to_have_count(0)
    contact.refresh_from_db()
    ended_at, duration = contact.ended_at, contact.duration_seconds
    assert duration == int((ended_at - started_at).total_seconds())

    # The form comes back after 対応終了 to finish the record; saving it keeps the exact times.
    page.get_by_label("結果").fill("納得されないまま退庁された。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/")
    contact.refresh_from_db()
    assert (contact.started_at, contact.ended_at, contact.duration_seconds) == (started_at, ended_at, duration)
    expect(page.locator("[data-clock]")).to_have_count(0)
    expect(page.locator("h1")).not_to_contain_text("対応中")
    record = page.locator("table.record")
    expect(record).to_contain_text("固定資産税の減免についての苦情")
    expect(record).to_contain_text(WORDS)
    expect(record).to_contain_text("該当する")
    assert sorted(record.locator(".tag").all_inner_texts()) == ["暴言", "過度の要求"]
    contact.refresh_from_db()
    assert contact.version == 4
    assert sorted(c.code for c in contact.categories.all()) == ["excessive_demand", "verbal_abuse"]

    page.get_by_role("link", name="変更履歴（第4版）").click()
    expect(page.locator("section.revision")).to_have_count(4)
    expect(page.locator("section.revision").first).to_contain_text("手段・態様についての理由")

    # Found again with a Japanese search on the contact list.
    page.goto("/contacts/?q=土下座")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("固定資産税の減免についての苦情")
    rows.get_by_role("link", name=contact.number).click()
    page.wait_for_url(f"**/contacts/{contact.pk}/")
    page.goto("/contacts/?q=" + "存在しない言葉")
    expect(page.get_by_text("該当する対応記録はありません。")).to_be_visible()


def test_staff_of_another_department_gets_not_found(new_page, city):
    contact = contact_create(
        actor=city.staff,
        data=ContactData(
            department=city.shimin,
            channel="counter",
            staff=city.staff,
            started_at=timezone.now(),
            ended_at=timezone.now(),
            summary="住民票の写しの交付についての苦情",
            words_and_behaviour=WORDS,
            harassment="yes",
            categories=["verbal_abuse"],
        ),
    )
    page = log_in(new_page(), "staff2")  # 税務課
    for path in (f"/contacts/{contact.pk}/", f"/contacts/{contact.pk}/print/", f"/contacts/{contact.pk}/edit/"):
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.locator("h1")).to_have_text("見つかりません")
        content = page.content()
        assert "税金泥棒" not in content and "住民票の写し" not in content, path
    page.goto("/contacts/?q=土下座")
    expect(page.get_by_text("該当する対応記録はありません。")).to_be_visible()

    # The owner's department still sees it.
    owner = log_in(new_page(), "staff1")
    owner.goto(f"/contacts/{contact.pk}/")
    expect(owner.locator("table.record")).to_contain_text("税金泥棒")
