"""Adding evidence in a real browser on a 1024-px screen: one file chosen with the file
input and one dropped on the form are both listed, sent together, and shown with their
results; the evidence page asks the purpose before its player appears."""

import base64

import pytest
from playwright.sync_api import expect

from tests.factories import make_contact
from tests.test_evidence_pages import PNG, wav_bytes

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def test_files_chosen_and_dropped_are_added_and_the_player_asks_the_purpose(new_page, city, tmp_path):
    contact = make_contact(city.staff)
    recording = tmp_path / "通話録音.wav"
    recording.write_bytes(wav_bytes(seconds=1))
    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, "staff1")
    page.goto(f"/contacts/{contact.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024  # the counter's screen
    # with no evidence yet the add form is open already
    expect(page.locator("details:has(form[data-evidence-drop])")).to_have_attribute("open", "")
    form = page.locator("form[data-evidence-drop]")
    form.locator('input[type="file"]').set_input_files(str(recording))
    # a second file dropped on the form, as from the desktop
    page.evaluate(
        """([name, data]) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: "image/png"}));
            const zone = document.querySelector("[data-drop-zone]");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        ["窓口の写真.png", base64.b64encode(PNG).decode()],
    )
    chosen = form.locator("[data-chosen] li")
    expect(chosen).to_have_count(2)
    expect(chosen.nth(1)).to_contain_text("窓口の写真.png")
    form.get_by_label("記録した場所").fill("市民課窓口")
    form.get_by_role("button", name="証拠を登録").click()
    expect(page.get_by_text("2 件を登録しました。")).to_be_visible()
    results = page.locator("table.evidence-outcomes")
    expect(results).to_contain_text("通話録音.wav")
    expect(results).to_contain_text("窓口の写真.png")
    # the page fits the counter's 1024-px screen (no sideways scrolling)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024

    results.get_by_role("link", name="通話録音.wav").click()
    expect(page.locator("audio")).to_have_count(0)
    page.get_by_label("目的").fill("事案の経過確認")
    page.get_by_role("button", name="再生する").click()
    player = page.locator("audio.evidence-player")
    expect(player).to_have_count(1)
    page.wait_for_function("() => document.querySelector('audio.evidence-player').readyState >= 1")  # a function: a bare expression is eval'd, which the CSP refuses
    assert page.evaluate("document.querySelector('audio.evidence-player').duration") == pytest.approx(1, abs=0.1)
    expect(page.locator("table.custody-log")).to_contain_text("事案の経過確認")


def test_a_file_over_the_limit_is_named_before_it_is_sent(new_page, city, tmp_path, settings):
    settings.MAMORU_EVIDENCE_MAX_BYTES = 1000
    contact = make_contact(city.staff)
    recording = tmp_path / "長い録音.wav"
    recording.write_bytes(wav_bytes(seconds=1))
    page = new_page()
    log_in(page, "staff1")
    page.goto(f"/contacts/{contact.pk}/")
    form = page.locator("form[data-evidence-drop]")
    form.locator('input[type="file"]').set_input_files(str(recording))
    expect(form.locator("[data-chosen] li.error")).to_contain_text("上限")
    expect(form.get_by_role("button", name="証拠を登録")).to_be_disabled()
