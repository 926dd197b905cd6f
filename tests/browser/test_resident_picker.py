"""The resident picker (htmx) on the contact form."""

import re

import pytest
from playwright.sync_api import expect

from people.services import resident_create
from records.models import Contact

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_pick_a_resident_by_kana_and_save(page, city):
    yamada = resident_create(actor=city.staff, name="山田 太郎", name_kana="やまだ たろう", phones=["090-1234-5678"])
    resident_create(actor=city.staff, name="佐藤 花子", name_kana="さとう はなこ")
    log_in(page, "staff1")

    page.goto("/contacts/new/?channel=phone")
    picker = page.locator("[data-resident-picker]")
    expect(picker.locator("[data-resident-name]")).to_have_text("不明（未選択）")
    page.locator("#resident-search").press_sequentially("ヤマダ")  # katakana finds the hiragana kana
    result = picker.get_by_role("button", name=re.compile("山田 太郎"))
    expect(result).to_be_visible()
    expect(picker.locator("#resident-results")).not_to_contain_text("佐藤")
    page.locator("#resident-search").press("Enter")  # searching must not submit the record
    assert page.url.endswith("/contacts/new/?channel=phone")
    result.click()
    expect(picker.locator("[data-resident-name]")).to_have_text("山田 太郎")
    expect(picker.locator("#resident-results")).to_be_empty()
    assert page.locator("input[name=resident]").input_value() == str(yamada.pk)

    page.get_by_label("件名").fill("国民健康保険税の納付についての問い合わせ")
    # 「該当する」 without a category is refused; the form comes back with the resident still chosen.
    page.get_by_label("該当する", exact=True).check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#field-categories .error")).to_contain_text("類型を1つ以上選んでください")
    expect(picker.locator("[data-resident-name]")).to_have_text("山田 太郎")
    page.get_by_label("該当しない", exact=True).check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/contacts/\d+/$"))
    expect(page.get_by_text("対応記録を作成しました。")).to_be_visible()
    contact = Contact.objects.get()
    assert contact.resident == yamada and contact.channel == "phone"
    expect(page.locator("table.record").get_by_role("link", name="山田 太郎")).to_be_visible()

    # The edit form shows the chosen resident, and 「選択を外す」 clears it.
    page.get_by_role("link", name="編集").click()
    expect(picker.locator("[data-resident-name]")).to_have_text("山田 太郎")
    picker.get_by_role("button", name="選択を外す").click()
    expect(picker.locator("[data-resident-name]")).to_have_text("不明（未選択）")
    page.get_by_label("住民等の特徴（氏名不明の場合）").fill("60代くらいの男性、眼鏡")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/")
    expect(page.locator("table.record")).to_contain_text("不明（60代くらいの男性、眼鏡）")
    contact.refresh_from_db()
    assert contact.resident is None


def test_register_a_new_resident_from_the_live_contact_form(page, city):
    log_in(page, "staff1")
    page.get_by_role("button", name="▶ 対応開始（電話）").click()
    page.wait_for_url(re.compile(r"/contacts/\d+/$"))
    contact = Contact.objects.get()
    page.get_by_role("link", name="記録を入力する").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/edit/")  # loaded: htmx listens before we type
    page.locator("#resident-search").fill("すずき")
    expect(page.locator("#resident-results")).to_contain_text("「すずき」に該当する住民等はいません。")

    page.get_by_role("link", name="住民等を新規登録").click()
    page.locator("input[name=name]").fill("鈴木 一郎")
    page.get_by_label("氏名（かな）").fill("すずき いちろう")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/edit/?resident=*")
    expect(page.get_by_text("住民等「鈴木 一郎」を登録しました。")).to_be_visible()
    expect(page.locator("[data-resident-name]")).to_have_text("鈴木 一郎")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/")
    expect(page.locator("table.record").get_by_role("link", name="鈴木 一郎")).to_be_visible()
    contact.refresh_from_db()
    assert contact.resident.name == "鈴木 一郎" and contact.ended_at is None
