"""An online post about a member of staff, end to end in a real browser (issue 15 A): the
staff member reports it → the specialist section preserves evidence → issues the
送信防止措置依頼書 (PDF) → records the request, the answer and the deletion → closes it;
the staff member sees each step."""

import pytest
from playwright.sync_api import expect

from online.models import OnlinePost
from tests.test_evidence_pages import PNG

from .conftest import log_in

pytestmark = pytest.mark.browser

URL = "https://x.com/someone/status/777"


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def record_step(page, kind: str, **fields):
    form = page.locator("form[action$='/steps/']")
    form.get_by_label("段階").select_option(label=kind)
    for label, value in fields.items():
        field = form.get_by_label(label, exact=True)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    form.get_by_role("button", name="記録する").click()
    expect(page.get_by_text(f"「{kind}」を記録しました。")).to_be_visible()


def test_a_post_reported_by_staff_is_followed_to_its_end(new_page, city, tmp_path):
    staff = new_page()
    staff.set_viewport_size({"width": 1024, "height": 768})
    log_in(staff, "staff1")
    staff.get_by_role("link", name="ネット上の投稿").first.click()
    staff.get_by_role("link", name="自分についての投稿を報告する").click()
    staff.get_by_label("投稿の URL（1行に1件）").fill(URL + "?s=20")
    staff.get_by_label("サイト・サービス").select_option(label="X（旧Twitter）")
    staff.get_by_label("氏名").check()
    staff.get_by_label("顔写真").check()
    staff.get_by_label("投稿の内容（原文どおり）").fill("市民課の市民一郎、態度が最悪。顔はこれ。")
    staff.get_by_role("button", name="報告する").click()
    expect(staff.get_by_text("投稿を登録しました")).to_be_visible()
    post = OnlinePost.objects.get()
    assert staff.evaluate("document.documentElement.scrollWidth") <= 1024

    specialist = new_page()
    log_in(specialist, "specialist1")
    specialist.goto("/online/")
    specialist.get_by_role("link", name=post.number).click()
    # evidence: the screenshot, into the locker
    shot = tmp_path / "投稿の画面.png"
    shot.write_bytes(PNG)
    evidence_form = specialist.locator("form[data-evidence-drop]")
    evidence_form.locator('input[type="file"]').set_input_files(str(shot))
    evidence_form.get_by_role("button", name="証拠を登録").click()
    expect(specialist.get_by_text("1 件を登録しました。")).to_be_visible()
    specialist.goto(f"/online/{post.pk}/")
    expect(specialist.locator(".evidence-panel")).to_contain_text("投稿の画面.png")
    record_step(specialist, "証拠保全")
    # the request letter, in the staff member's name with the city's support
    specialist.get_by_text("依頼書を作成する").click()
    letter = specialist.locator("form[action$='/letters/']")
    letter.get_by_label("職員本人の名義（市が支援）").check()
    letter.get_by_label("依頼者（職員本人の名義のとき）").select_option(label="市民 一郎")
    letter.get_by_label("名誉権").check()
    letter.get_by_label("肖像権").check()
    letter.get_by_label("権利が侵害されたとする理由").fill("氏名と顔写真を無断で掲載し、社会的評価を下げている。")
    letter.get_by_role("button", name="PDF を作成する").click()
    expect(specialist.get_by_text("を作成しました。")).to_be_visible()
    link = specialist.get_by_role("link", name="侵害情報の通知書 兼 送信防止措置依頼書")
    response = specialist.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    record_step(specialist, "削除申出・送信防止措置依頼", **{"申出の方法": "送信防止措置依頼書", "申出先": "X Corp."})
    expect(specialist.get_by_text("削除申出への回答期限")).to_be_visible()
    record_step(specialist, "回答", **{"回答": "削除された"})
    record_step(specialist, "削除の確認")
    record_step(specialist, "終結", **{"理由（回答・終結）": "削除を確認した"})
    expect(specialist.locator("h1")).to_contain_text("終結")

    staff.goto(f"/online/{post.pk}/")
    timeline = staff.locator("ol.timeline")
    for step in ("発見", "証拠保全", "削除申出・送信防止措置依頼", "回答", "削除の確認", "終結"):
        expect(timeline).to_contain_text(step)
    expect(staff.locator("form[action$='/steps/']")).to_have_count(0)
    staff.goto("/notifications/")
    expect(staff.get_by_text("「終結」を記録しました").first).to_be_visible()
