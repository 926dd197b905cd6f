"""The printable contact record (対応記録票) fits on one A4 page."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from people.services import resident_create
from records.services import ContactData, contact_create

from .conftest import log_in

pytestmark = pytest.mark.browser


def _pdf_page_count(pdf: bytes) -> int:
    """Page objects in a PDF (chromium writes them uncompressed): /Type /Page, not /Pages."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_print_view_fits_one_a4_page(page, city):
    started = timezone.now() - dt.timedelta(minutes=48)
    resident = resident_create(
        actor=city.staff, name="山田 太郎", name_kana="やまだ たろう", address="大田原市本町一丁目4番1号"
    )
    contact = contact_create(
        actor=city.staff,
        data=ContactData(
            department=city.shimin,
            channel="counter",
            place="市民課 2番窓口",
            staff=city.staff,
            other_staff=[city.supervisor],
            started_at=started,
            ended_at=started + dt.timedelta(minutes=47, seconds=12),
            resident=resident,
            summary="住民票の写しの交付手数料についての苦情と、担当職員の謝罪の要求",
            request_content=(
                "住民票の写しの交付手数料が高すぎる、他の市では無料のところもあるはずだとの意見。"
                "手数料の免除と、前回の来庁時に長く待たされたことへの謝罪を求めた。" * 3
            ),
            words_and_behaviour=(
                "「税金泥棒」「お前では話にならない、課長を出せ」「土下座しろ」と大声で繰り返した。"
                "カウンターを手のひらで何度も叩き、他の来庁者が振り返るほどの声量だった。"
                "職員の氏名を繰り返し尋ね、「名前は覚えた、ネットに書いてやる」と述べた。" * 3
            ),
            staff_response=(
                "手数料は条例で定められており、窓口で免除することはできないことを説明した。"
                "対応時間が原則30分以内であることを伝え、上司（課長補佐）が同席して対応を引き継いだ。" * 2
            ),
            outcome="納得されないまま退庁された。今後の来庁に備え、課内で情報を共有した。",
            harassment="yes",
            categories=["verbal_abuse", "excessive_demand", "long_detention"],
            content_unreasonable="no",
            content_reason="手数料についての意見そのものは正当な意見である。",
            manner_inappropriate="yes",
            manner_reason="大声での暴言、土下座の要求、長時間の拘束は社会通念上不相当である。",
            harms=["dignity", "obstruction"],
            harm_reason="窓口業務が約50分停止し、職員の尊厳が傷つけられた。",
        ),
    )
    log_in(page, "staff1")
    page.goto(f"/contacts/{contact.pk}/print/")
    expect(page.locator("h1")).to_have_text("対応記録票")
    expect(page.locator("table.record")).to_contain_text("土下座しろ")
    expect(page.get_by_role("button", name="印刷する")).to_be_visible()

    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    with open("/tmp/mamoru-print.pdf", "wb") as file:
        file.write(pdf)
    assert _pdf_page_count(pdf) == 1
