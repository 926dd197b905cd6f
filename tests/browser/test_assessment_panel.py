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
