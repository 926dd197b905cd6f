"""The suggestion panel on the contact form, in a real browser (issue 6)."""

import pytest
from playwright.sync_api import expect

from assessment.models import Suggestion
from tests.factories import make_contact

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_typing_shows_suggestions_and_accept_ticks_the_category(page, city):
    contact = make_contact(city.staff, words_and_behaviour="")
    log_in(page, "staff1")
    page.goto(f"/contacts/{contact.pk}/edit/")
    panel = page.locator("#assessment-suggestions")
    expect(panel).to_contain_text("提案は判断ではありません")
    page.locator("#id_words_and_behaviour").fill("「税金泥棒！お前なんか辞めちまえ」と窓口で大声で怒鳴り続けた。")
    suggestion = panel.locator('[data-suggestion][data-code="verbal_abuse"]')
    expect(suggestion).to_be_visible()
    expect(suggestion.locator("mark").first).to_be_visible()
    box = page.locator('input[name="categories"][value="verbal_abuse"]')
    expect(box).not_to_be_checked()
    suggestion.locator("[data-accept]").click()
    expect(box).to_be_checked()
    expect(suggestion.locator(".decision")).to_have_text("採用済み")
    assert Suggestion.objects.get(contact=contact, code="verbal_abuse").decision == "accepted"


def test_decisions_on_the_after_the_fact_form_are_saved_with_the_contact(page, city):
    """No record exists while staff write it up: accept and reject wait in the
    form, survive the panel being drawn again, and are stored on 保存."""
    log_in(page, "staff1")
    page.goto("/contacts/new/?channel=phone")
    panel = page.locator("#assessment-suggestions")
    words = page.locator("#id_words_and_behaviour")
    words.fill("「税金泥棒！お前なんか辞めちまえ」と電話口で怒鳴り続けた。")
    suggestion = panel.locator('[data-suggestion][data-code="verbal_abuse"]')
    expect(suggestion).to_be_visible()
    suggestion.locator("[data-accept]").click()
    expect(page.locator('input[name="categories"][value="verbal_abuse"]')).to_be_checked()
    # More words: the panel is drawn again and still shows the decision.
    with page.expect_response("**/assessment/suggestions/"):
        words.press_sequentially("「殺すぞ」とも言った。")
    expect(panel.locator('[data-suggestion][data-code="verbal_abuse"]')).to_have_class("suggestion decided-accepted")
    page.locator("#id_summary").fill("納税についての電話")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("対応記録を作成しました。")).to_be_visible()
    suggestion = Suggestion.objects.get(code="verbal_abuse")
    assert suggestion.decision == "accepted" and suggestion.decided_by == city.staff
    assert page.url.endswith(f"/contacts/{suggestion.contact_id}/")
