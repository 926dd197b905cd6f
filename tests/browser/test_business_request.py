"""A business's request through the real pages (issue 15 B): intake by the specialist
section → hearing of the staff member concerned (who sees the request but not the
business's account, and confirms the hearing) → outcome → the manager's measures → the
回答書 (PDF) → closed. At 1024 px wide."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from business_requests.models import BusinessRequest

from .conftest import log_in

pytestmark = pytest.mark.browser


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_request_hearing_outcome_reply_letter(new_page, city):
    specialist = new_page()
    specialist.set_viewport_size({"width": 1024, "height": 800})
    log_in(specialist, city.specialist.username)
    specialist.get_by_role("link", name="他事業者からの申入れ").click()
    specialist.get_by_role("link", name="申入れを受け付ける").click()
    specialist.get_by_label("事業者名").fill("那須運送株式会社")
    specialist.get_by_label("事業者の担当者").fill("総務部 山口")
    specialist.get_by_label("連絡先（電話・メール・住所）").fill("0287-20-1111")
    specialist.get_by_label("申入れの内容（何があったか）").fill("配達の際、窓口で職員から大声で叱責された。")
    specialist.select_option("select[name=staff]", label=f"{city.staff}（市民課）")
    specialist.get_by_label("事業者の要望").fill("事実確認と再発防止")
    _fits(specialist)
    specialist.get_by_role("button", name="受け付ける").click()
    expect(specialist.locator("h1")).to_contain_text("那須運送株式会社")
    specialist.select_option("select[name=managers]", label=f"{city.manager}（市民課）")
    specialist.get_by_role("button", name="指定する").click()
    expect(specialist.get_by_text("担当者を指定しました。")).to_be_visible()
    specialist.get_by_label("本人の説明（弁明）").fill("急いでいて強い言い方をしてしまった。")
    specialist.get_by_role("button", name="聴取を記録").click()
    expect(specialist.get_by_text("聴取を記録しました。")).to_be_visible()
    _fits(specialist)
    item = BusinessRequest.objects.get()

    # The staff member concerned: the request and their own hearing, not the business's account.
    staff = new_page()
    staff.set_viewport_size({"width": 1024, "height": 800})
    log_in(staff, city.staff.username)
    staff.get_by_role("link", name="自分に関する申入れ").click()
    staff.get_by_role("link", name="那須運送株式会社").click()
    expect(staff.get_by_text("急いでいて強い言い方をしてしまった。")).to_be_visible()
    expect(staff.get_by_text("配達の際、窓口で職員から大声で叱責された。")).to_have_count(0)
    staff.get_by_role("button", name="この内容で確認しました").click()
    expect(staff.get_by_text("本人確認済み")).to_be_visible()

    specialist.reload()
    specialist.get_by_label("事実あり").check()
    specialist.get_by_label("判断の理由").fill("本人が発言を認め、同席者の説明とも一致した。")
    specialist.get_by_role("button", name="調査結果を記録").click()
    expect(specialist.get_by_text("措置（指導・研修）は、この申入れで指名された管理職が決定します。")).to_be_visible()

    manager = new_page()
    manager.set_viewport_size({"width": 1024, "height": 800})
    log_in(manager, city.manager.username)
    manager.goto(f"/business-requests/{item.pk}/")
    manager.get_by_label("指導").check()
    manager.get_by_label("措置の内容（取らない場合はその理由）").fill("課長から指導した。")
    manager.get_by_role("button", name="措置を決定").click()
    expect(manager.get_by_text("対象職員への措置を決定しました。")).to_be_visible()

    specialist.reload()
    specialist.get_by_label("回答の内容").fill("職員の不適切な言動を確認し、指導を行いました。")
    specialist.get_by_role("button", name="回答を記録").click()
    link = specialist.get_by_role("link", name=re.compile(r"第\d+号 申入れに対する回答書"))
    expect(link).to_be_visible()
    response = specialist.request.get(link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")
    specialist.get_by_role("button", name="終結する").click()
    expect(specialist.get_by_text("申入れを終結しました。")).to_be_visible()
    item.refresh_from_db()
    assert item.state == "closed" and item.closed_on == timezone.localdate() and item.reply_letter is not None
