"""A 繰り返し case walked end to end in a real browser.

Contacts in three departments under three ways of writing one name →
the specialist section sees the duplicates and merges them → the
many-departments rule fires and is confirmed → a warning (警告) is drafted,
approved by the lead department's manager, issued and its letter downloaded
as a PDF → with a response restriction (対応制限) in force, the next contact
shows the intake banner and the clock with the restriction's shorter limit."""

import datetime as dt
import re
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Department
from accounts.services import user_create
from mamoru.policy.loader import current as current_policy
from measures import services as measure_services
from measures.models import Measure
from measures.services import MeasureTerms, RestrictionConditions
from people.matching import PersonFields, same_person
from people.models import Resident
from people.services import resident_create
from records.models import Contact
from records.services import ContactData, contact_create
from repetition.choices import FlagStatus
from repetition.models import RepetitionFlag
from tests.conftest import PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.browser

# 0.5 s per timer minute: a 10-minute restriction turns the clock red 5 s after the start.
SECONDS_PER_MINUTE = 0.5
RESTRICTION_MINUTES = 10


def _clock_state_is(state):
    return f"""() => {{
        const clock = document.querySelector('[data-clock]');
        return !!clock && clock.dataset.state === '{state}'
            && !clock.querySelector('[data-clock-{state}]').hidden;
    }}"""


def _rule(kind):
    return next(rule for rule in current_policy().repetition_rules if rule.kind == kind)


def _contact(staff, resident, *, days_ago, channel="counter", summary):
    started = timezone.now() - dt.timedelta(days=days_ago)
    return contact_create(
        actor=staff,
        data=ContactData(
            department=staff.department,
            channel=channel,
            staff=staff,
            started_at=started,
            ended_at=started + dt.timedelta(minutes=12),
            resident=resident,
            summary=summary,
        ),
    )


def _arrange(city):
    """Three residents who are one person, each known to one department only."""
    fukushi = Department.objects.create(code="fukushi", name="福祉課", sort_order=4)
    welfare_staff = user_create(
        actor=None, username="staff3", password=PASSWORD, role="staff", department=fukushi, full_name="福祉 次郎"
    )
    kanji = resident_create(actor=city.staff, name="髙橋 一郎", name_kana="たかはし いちろう", phones=["0287-23-1234"])
    variant = resident_create(actor=city.zeimu_staff, name="高橋　一郎", phones=["０２８７－２３－１２３４"])
    katakana = resident_create(actor=welfare_staff, name="タカハシ イチロウ", phones=["0287231234"])
    for other in (variant, katakana):
        decision = same_person(PersonFields.of_resident(kanji), PersonFields.of_resident(other))
        assert decision.same, f"the matcher must judge {other.name} the same person: {decision}"

    _contact(city.staff, kanji, days_ago=20, summary="住民票の写しの交付についての苦情")
    _contact(city.staff, kanji, days_ago=12, summary="窓口の待ち時間への苦情")
    _contact(city.zeimu_staff, variant, days_ago=8, channel="phone", summary="固定資産税の評価額への抗議")
    _contact(welfare_staff, katakana, days_ago=3, summary="福祉サービスの申請についての要求")
    # Before the merge no single record reaches any rule.
    assert not RepetitionFlag.objects.exists()
    return kanji, variant, katakana


def _merge(page, keep, other):
    duplicates = page.locator("section[aria-labelledby=duplicates-title]")
    expect(duplicates).to_contain_text("同一人物の可能性がある住民等")
    row = duplicates.locator("tr", has=page.get_by_role("link", name=other.name, exact=True))
    expect(row).to_contain_text("電話番号が一致")
    row.get_by_role("link", name="統合").click()
    page.wait_for_url(f"**/residents/{keep.pk}/merge/{other.pk}/")
    expect(page.get_by_label(f"「{keep.name}」（住民等 No.{keep.pk}）を残す")).to_be_checked()
    page.get_by_label("統合の理由").fill("電話番号と氏名の読みが一致し、本人に電話で確認した。")
    page.get_by_role("button", name="統合する").click()
    page.wait_for_url(f"**/residents/{keep.pk}/")
    expect(
        page.get_by_text(f"住民等 No.{other.pk}「{other.name}」を No.{keep.pk}「{keep.name}」に統合しました。")
    ).to_be_visible()
    other.refresh_from_db()
    assert other.merged_into_id == keep.pk


def _restrict(city, resident):
    """An issued 対応制限 with a shorter time limit (approved by the manager, then
    by a specialist other than the drafter)."""
    second_specialist = user_create(
        actor=None, username="specialist2", password=PASSWORD, role="specialist", department=city.somu
    )
    measure = measure_services.measure_draft(
        actor=city.specialist,
        resident=resident,
        kind="restriction",
        terms=MeasureTerms(
            reasons="警告後も複数の部署への長時間の意見等が続いたため",
            contacts=list(Contact.objects.filter(resident=resident)),
            lead_department=city.shimin,
            starts_on=timezone.localdate(),
            conditions=RestrictionConditions(max_minutes=RESTRICTION_MINUTES),
        ),
    )
    measure_services.measure_submit(actor=city.specialist, measure=measure)
    measure_services.measure_approve(actor=city.manager, measure=measure)
    measure_services.measure_approve(actor=second_specialist, measure=measure)
    return measure_services.measure_issue(actor=city.specialist, measure=measure)


def test_repetition_case_from_name_variants_to_a_restricted_contact(new_page, city, settings, tmp_path):
    settings.MAMORU_TIMER_SECONDS_PER_MINUTE = SECONDS_PER_MINUTE
    pack = current_policy()
    rule = _rule("departments_in_days")
    assert rule.threshold == 3, "the walk spreads the contacts over three departments"
    kanji, variant, katakana = _arrange(city)

    # --- 名寄せ: the specialist sees both variants under the first record and merges them.
    page = new_page()
    log_in(page, "specialist1")
    page.goto(f"/residents/{kanji.pk}/")
    duplicates = page.locator("section[aria-labelledby=duplicates-title]")
    expect(duplicates).to_contain_text("異体字「髙」を「高」として比較")
    expect(duplicates.get_by_role("link", name=katakana.name, exact=True)).to_be_visible()
    _merge(page, kanji, variant)
    assert not RepetitionFlag.objects.exists(), "two departments are not yet three"
    _merge(page, kanji, katakana)
    expect(page.locator("section[aria-labelledby=duplicates-title]")).to_have_count(0)
    counts = page.locator("section.panel", has_text="課ごとの対応件数")
    for name in ("市民課", "税務課", "福祉課"):
        expect(counts).to_contain_text(name)
    assert Contact.objects.filter(resident=kanji).count() == 4

    # --- The rule fires; the specialist reads the evidence and confirms it.
    flag = RepetitionFlag.objects.get(resident=kanji, rule_code=rule.code, status=FlagStatus.OPEN)
    page.get_by_role("link", name="繰り返しの確認").first.click()
    page.wait_for_url("**/repetition/")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=kanji.name))
    expect(row).to_contain_text(rule.describe())
    expect(row).to_contain_text("4回・3部署")
    expect(row).to_contain_text("要確認")
    row.get_by_role("link", name=kanji.name).click()
    page.wait_for_url(f"**/repetition/{flag.pk}/")
    expect(page.locator("table.list tbody tr")).to_have_count(4)
    page.get_by_label("繰り返しに該当", exact=True).check()
    page.get_by_label("判断の理由").fill("30日間に市民課・税務課・福祉課へ同趣旨の要求を繰り返している。")
    page.get_by_role("button", name="判断を記録する").click()
    expect(page.get_by_text("判断を記録しました。")).to_be_visible()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CONFIRMED and flag.decided_by == city.specialist

    # --- A warning is drafted from the resident's page and sent for approval.
    page.get_by_role("link", name="住民等の情報").click()
    page.get_by_role("link", name="措置を起案").click()
    page.wait_for_url(f"**/measures/new/{kanji.pk}/")
    page.locator("#field-kind select").select_option(label="警告")
    boxes = page.locator("#field-contacts input[type=checkbox]")
    expect(boxes).to_have_count(4)
    for index in range(4):
        boxes.nth(index).check()
    page.locator("#field-reasons textarea").fill("30日間に3部署へ繰り返し同趣旨の要求を行い、業務に支障が生じている。")
    page.locator("#field-lead_department select").select_option(label="市民課")
    page.locator("#field-requests textarea").fill("窓口や電話で同じ要求を繰り返さないこと。")
    page.locator("#field-starts_on input").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("措置を起案しました。")).to_be_visible()
    warning = Measure.objects.get(resident=kanji, kind="warning")
    assert page.url.endswith(f"/measures/{warning.pk}/")
    assert warning.contacts.count() == 4
    page.get_by_role("button", name="決裁に回す").click()
    expect(page.get_by_text("決裁に回しました。")).to_be_visible()

    # --- The lead department's manager approves it from the 決裁待ち list.
    manager_page = new_page()
    log_in(manager_page, "manager1")
    manager_page.get_by_role("link", name="決裁待ち", exact=True).click()
    inbox_row = manager_page.locator("tbody tr", has_text=kanji.name)
    expect(inbox_row).to_contain_text("市民課")
    inbox_row.get_by_role("link").click()
    manager_page.wait_for_url(f"**/measures/{warning.pk}/")
    manager_page.get_by_label("コメント").fill("内容を確認しました。")
    manager_page.get_by_role("button", name="承認（決裁）").click()
    expect(manager_page.get_by_text("決裁しました。")).to_be_visible()

    # --- The specialist issues it and downloads the letter.
    page.reload()
    page.get_by_role("button", name="発出").click()
    expect(page.get_by_text("措置を発出しました。")).to_be_visible()
    letter_link = page.get_by_role("link", name=re.compile(r"^警告書（.+）PDF$"))
    expect(letter_link).to_be_visible()
    number = re.search(r"（(.+)）PDF", letter_link.inner_text()).group(1)
    assert number.startswith(pack.documents.number_prefix)
    with page.expect_download() as download_info:
        letter_link.click()
    pdf = tmp_path / "letter.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "警告書" in text
    assert number in re.sub(r"\s+", "", text)

    # --- A restriction with a shorter time limit is in force; the next contact shows it all.
    _restrict(city, kanji)
    desk = new_page()
    log_in(desk, "staff1")
    desk.get_by_role("button", name="▶ 対応開始（電話）").click()
    desk.wait_for_url(re.compile(r"/contacts/\d+/$"))
    contact = Contact.objects.filter(ended_at__isnull=True).get()
    desk.get_by_role("link", name="記録を入力する").click()
    desk.wait_for_url(f"**/contacts/{contact.pk}/edit/")  # loaded: htmx listens before we type
    desk.locator("#resident-search").press_sequentially("タカハシ")
    desk.locator("#resident-results").get_by_role("button", name=re.compile(kanji.name)).click()
    expect(desk.locator("[data-resident-name]")).to_have_text(kanji.name)
    desk.get_by_role("button", name="保存").click()
    desk.wait_for_url(f"**/contacts/{contact.pk}/")
    contact.refresh_from_db()
    assert contact.resident_id == kanji.pk and contact.ended_at is None

    banner = desk.locator(".intake-banner")
    longest = max(r.days for r in pack.repetition_rules if r.days)
    expect(banner).to_contain_text(f"過去{longest}日で3部署・5回")
    expect(banner).to_contain_text(rule.describe())
    expect(banner).to_contain_text("繰り返しに該当")
    expect(banner).to_contain_text("対応制限")
    expect(banner).to_contain_text(f"1回の対応は{RESTRICTION_MINUTES}分以内")
    expect(banner).to_contain_text(pack.city.specialist_section)

    clock = desk.locator("[data-clock]")
    expect(clock).to_contain_text("対応制限中: 対応制限")
    expect(clock.locator("[data-clock-normal]")).to_contain_text(f"原則 {RESTRICTION_MINUTES} 分以内")
    assert float(clock.get_attribute("data-limit")) == RESTRICTION_MINUTES * SECONDS_PER_MINUTE
    desk.wait_for_function(_clock_state_is("limit"), polling="raf", timeout=20_000)
    expect(clock.locator("[data-clock-limit]")).to_contain_text(f"対応時間が {RESTRICTION_MINUTES} 分を超えました。")
    assert Resident.objects.filter(merged_into=kanji).count() == 2
