"""Letters (警告書, 対応制限通知書): numbered A4 PDFs read back with poppler-utils.

The PDFs are checked as a resident would receive them: pdftotext for the words,
numbers and 和暦 dates, pdftoppm for a page that is not blank, pdffonts for the
embedded Japanese fonts and pdfinfo for the A4 size. poppler-utils and the IPAex
fonts come from Debian's packages (`make fonts`, a dependency of `make test`)."""

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from audit.models import AuditEntry
from letters import placeholders
from letters.models import DocumentNumberSequence, IssuedLetter, LetterTemplate
from letters.services import (
    LetterContext,
    letter_issue,
    letter_preview,
    letter_template_for,
    letter_template_update,
    sample_context,
)
from mamoru.lib import pdf as pdf_layout
from mamoru.policy.loader import current, reset_cache

MINATO = Path(__file__).parent / "packs" / "minato.toml"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} がありません。Debian のパッケージ poppler-utils をインストールしてください（make fonts）。"
        )
    return path


def _run(args: list[str], content: bytes, tmp_path: Path, name: str = "letter.pdf") -> str:
    source = tmp_path / name
    source.write_bytes(content)
    result = subprocess.run([*args, str(source)], capture_output=True, check=True, timeout=60)
    return result.stdout.decode("utf-8")


def pdftotext(content: bytes, tmp_path: Path) -> str:
    source = tmp_path / "letter.pdf"
    source.write_bytes(content)
    result = subprocess.run(
        [_tool("pdftotext"), "-layout", str(source), "-"], capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode("utf-8")


def flat(text: str) -> str:
    """The text without spaces and line breaks: a wrapped sentence reads as one."""
    return re.sub(r"[\s　]+", "", text)


def warning_context(**overrides) -> LetterContext:
    values = dict(
        addressee_name="山田 太郎",
        addressee_address="栃木県大田原市本町1丁目4番1号",
        facts=[
            (dt.date(2025, 12, 1), "窓口において約2時間にわたり大声で職員を罵倒した。"),
            (dt.date(2025, 12, 8), "電話で担当職員の自宅住所を教えるよう繰り返し求めた。"),
        ],
        reasons="職員の人格や尊厳を侵害し、業務に支障を生じさせたため。",
        conditions=["職員を大声で威圧しないこと。", "職員の個人情報を求めないこと。"],
        issued_on=dt.date(2026, 1, 15),
    )
    values.update(overrides)
    return LetterContext(**values)


def restriction_context(**overrides) -> LetterContext:
    values = dict(
        addressee_name="佐藤 花子",
        addressee_address="栃木県大田原市中央2丁目3番4号",
        facts=[(dt.date(2026, 1, 20), "窓口で職員の胸ぐらをつかんだ。")],
        reasons="職員の安全を確保するため。",
        starts_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 4, 30),
        review_on=dt.date(2026, 3, 31),
        conditions=["御用件は書面（郵送）でお寄せください。", "来庁の際は職員2名で対応します。"],
        issued_on=dt.date(2026, 1, 28),
    )
    values.update(overrides)
    return LetterContext(**values)


# --- What the letter says -----------------------------------------------------


def test_warning_letter_reads_back_with_number_dates_facts_and_pack_texts(city, tmp_path):
    pack = current()
    letter = letter_issue(actor=city.manager, measure_code="warning", context=warning_context())

    assert letter.document_number == "大総第1号"
    assert (letter.fiscal_year, letter.serial, letter.title) == (2025, 1, "警告書")
    text = pdftotext(bytes(letter.pdf), tmp_path)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # Number and date first, right-aligned (far from the left margin).
    assert lines[0] == "大総第1号" and lines[1] == "令和8年1月15日"
    number_line = next(line for line in text.splitlines() if "大総第1号" in line)
    assert number_line.index("大総第1号") > 30
    body = flat(text)
    for expected in (
        "栃木県大田原市本町1丁目4番1号",
        "山田太郎様",
        "警告書",
        "（1）令和7年12月1日窓口において約2時間にわたり大声で職員を罵倒した。",
        "（2）令和7年12月8日電話で担当職員の自宅住所を教えるよう繰り返し求めた。",
        "（1）職員を大声で威圧しないこと。",
        "（2）職員の個人情報を求めないこと。",
        "職員の人格や尊厳を侵害し、業務に支障を生じさせたため。",
        flat(pack.documents.objection),
        flat(pack.documents.issuer) + pack.documents.seal_label,
        flat(pack.city.contact),
        flat(pack.title),
        "以上",
    ):
        assert expected in body, expected
    assert "{" not in text and "}" not in text


def test_restriction_letter_states_measure_period_review_and_conditions(city, tmp_path):
    letter = letter_issue(actor=city.specialist, measure_code="restriction", context=restriction_context())

    assert letter.title == "対応制限通知書"
    body = flat(pdftotext(bytes(letter.pdf), tmp_path))
    assert "対応制限通知書" in body
    assert "1措置対応制限" in body
    assert "令和8年2月1日から令和8年4月30日まで" in body
    assert "見直し日令和8年3月31日" in body
    assert "（1）令和8年1月20日窓口で職員の胸ぐらをつかんだ。" in body
    assert "（1）御用件は書面（郵送）でお寄せください。（2）来庁の際は職員2名で対応します。" in body
    assert "令和8年1月28日" in body


def test_open_ended_period_and_no_conditions_read_plainly(city, tmp_path):
    context = restriction_context(ends_on=None, review_on=None, conditions=[])
    body = flat(
        pdftotext(bytes(letter_issue(actor=city.manager, measure_code="restriction", context=context).pdf), tmp_path)
    )
    assert "令和8年2月1日から当分の間" in body
    assert "見直し日定めなし" in body
    assert "5対応の条件なし" in body


def test_issued_letter_keeps_what_went_in_and_is_audited(city):
    letter = letter_issue(actor=city.manager, measure_code="warning", context=warning_context())
    letter = IssuedLetter.objects.get(pk=letter.pk)

    assert letter.sha256 == hashlib.sha256(bytes(letter.pdf)).hexdigest()
    assert letter.addressee == "山田 太郎" and letter.issued_on == dt.date(2026, 1, 15)
    assert letter.issued_by == city.manager
    assert letter.context["input"]["facts"][0] == ["2025-12-01", "窓口において約2時間にわたり大声で職員を罵倒した。"]
    assert letter.context["values"]["文書番号"] == "大総第1号"
    assert letter.template_body == LetterTemplate.objects.get(measure_code="warning").body
    entry = AuditEntry.objects.get(action="letters.letter.issued")
    assert entry.actor == city.manager and entry.object_id == str(letter.pk)
    assert entry.after["document_number"] == "大総第1号" and entry.after["sha256"] == letter.sha256


# --- The page itself ----------------------------------------------------------


def test_page_is_a4_with_embedded_japanese_fonts_and_not_blank(city, tmp_path):
    from PIL import Image

    content = bytes(letter_issue(actor=city.manager, measure_code="warning", context=warning_context()).pdf)
    info = _run([_tool("pdfinfo")], content, tmp_path)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert width == pytest.approx(595.28, abs=0.01) and height == pytest.approx(841.89, abs=0.01)
    assert re.search(r"Pages:\s+1\n", info)

    fonts = _run([_tool("pdffonts")], content, tmp_path)
    embedded = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if " yes " in line}
    assert {"IPAexMincho", "IPAexGothic"} <= embedded
    assert "Helvetica" not in fonts  # every glyph is in the embedded Japanese fonts

    subprocess.run(
        [
            _tool("pdftoppm"),
            "-r",
            "50",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "letter.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    assert image.size == (414, 585)  # A4 at 50 dpi
    pixels = image.load()
    dark = sum(1 for x in range(image.width) for y in range(image.height) if pixels[x, y] < 160)
    assert dark > 3000, "the page is (nearly) blank"
    # The centred title (警告書, in Gothic) is a band of ink in the middle of the
    # page with nothing on the left third of it: glyphs were drawn there.
    middle = (image.width // 2 - 40, image.width // 2 + 40)
    title_rows = [
        y for y in range(image.height) if _ink(pixels, y, *middle) > 5 and _ink(pixels, y, 0, image.width // 3) == 0
    ]
    assert len(title_rows) >= 6, "no centred title on the page"
    assert sum(_ink(pixels, y, *middle) for y in title_rows) > 150


def _ink(pixels, y, x0, x1) -> int:
    return sum(1 for x in range(x0, x1) if pixels[x, y] < 160)


def test_long_letter_wraps_with_kinsoku_and_numbers_its_pages(city, tmp_path):
    facts = [
        (
            dt.date(2025, 11, 1) + dt.timedelta(days=i),
            f"第{i + 1}回目の架電で、職員に対し同じ要求を繰り返し、「上司を出せ」と大声を上げた。",
        )
        for i in range(40)
    ]
    content = bytes(letter_issue(actor=city.manager, measure_code="warning", context=warning_context(facts=facts)).pdf)
    text = pdftotext(content, tmp_path)
    assert re.search(r"Pages:\s+[2-9]", _run([_tool("pdfinfo")], content, tmp_path))
    assert re.search(r"-\s*1\s*-", text) and re.search(r"-\s*2\s*-", text)
    assert "（40）令和7年12月10日第40回目の架電" in flat(text)
    for line in text.splitlines():
        stripped = line.strip()
        if stripped:
            assert stripped[0] not in "、。」）", line


def test_wrap_keeps_punctuation_off_line_starts_and_numbers_whole():
    pdf_layout.register_fonts(pdf_layout_dirs())
    width = pdf_layout.text_width("あ" * 10)
    lines = pdf_layout.wrap("あいうえおかきくけこ。さしすせそ", width)
    assert lines == ["あいうえおかきくけ", "こ。さしすせそ"]
    lines = pdf_layout.wrap("電話番号はあいう0287-23-8702です", width)
    assert "".join(lines) == "電話番号はあいう0287-23-8702です"
    assert any(line.startswith("0287-23-8702") for line in lines)
    for line in pdf_layout.wrap("「あいうえおかきく」「けこ」、さしすせ（そ）。" * 3, width):
        assert line[0] not in pdf_layout.NO_LINE_START
        assert line[-1] not in pdf_layout.NO_LINE_END
        assert pdf_layout.text_width(line) <= width + 0.01


def pdf_layout_dirs():
    from django.conf import settings

    return settings.MAMORU_LETTER_FONT_DIRS


def test_missing_font_is_a_clear_japanese_error(tmp_path):
    with pytest.raises(pdf_layout.FontMissingError, match="fonts-ipaexfont-mincho"):
        pdf_layout.find_fonts([tmp_path])


# --- Document numbers ---------------------------------------------------------


def test_numbers_run_per_fiscal_year_and_restart_in_april(city):
    def issue(day):
        return letter_issue(actor=city.manager, measure_code="warning", context=warning_context(issued_on=day))

    first = issue(dt.date(2026, 3, 30))
    second = issue(dt.date(2026, 3, 31))
    april = issue(dt.date(2026, 4, 1))
    restriction = letter_issue(
        actor=city.manager, measure_code="restriction", context=restriction_context(issued_on=dt.date(2026, 4, 2))
    )
    late_march = issue(dt.date(2026, 3, 20))  # entered late: still 令和7年度

    assert [first.document_number, second.document_number] == ["大総第1号", "大総第2号"]
    assert (first.fiscal_year, april.fiscal_year) == (2025, 2026)
    assert april.document_number == "大総第1号"
    assert restriction.document_number == "大総第2号"  # one series for every letter of the year
    assert late_march.document_number == "大総第3号" and late_march.fiscal_year == 2025
    assert DocumentNumberSequence.objects.get(prefix="大総", fiscal_year=2025).last_number == 3


def test_a_number_is_never_shared_the_database_refuses_a_duplicate(city):
    letter = letter_issue(actor=city.manager, measure_code="warning", context=warning_context())
    with pytest.raises(IntegrityError), transaction.atomic():
        IssuedLetter.objects.create(
            measure_code="warning",
            title="警告書",
            number_prefix=letter.number_prefix,
            fiscal_year=letter.fiscal_year,
            serial=letter.serial,
            document_number=letter.document_number,
            issued_on=letter.issued_on,
            addressee="別人",
            pdf=b"",
            sha256="",
            template_body="",
            template_version=1,
            issued_by=city.manager,
        )


@pytest.mark.django_db(transaction=True)
def test_simultaneous_issues_get_different_numbers():
    from tests.conftest import City

    city = City()
    letter_template_for("warning")
    count = 6
    if connection.vendor == "postgresql":
        # Real concurrency: each thread has its own connection and transaction.
        barrier = threading.Barrier(count)
        numbers, errors = [], []

        def issue():
            try:
                barrier.wait(timeout=30)
                numbers.append(
                    letter_issue(actor=city.manager, measure_code="warning", context=warning_context()).serial
                )
            except Exception as error:  # pragma: no cover - shown on failure
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=issue) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
    else:
        # SQLite's shared in-memory test database cannot wait for a lock across
        # threads; it serialises writers (BEGIN IMMEDIATE), so issue one by one.
        numbers = [
            letter_issue(actor=city.manager, measure_code="warning", context=warning_context()).serial
            for _ in range(count)
        ]
    assert sorted(numbers) == list(range(1, count + 1))
    assert IssuedLetter.objects.values("serial").distinct().count() == count


def test_bad_context_is_refused_and_takes_no_number(city):
    with pytest.raises(ValidationError) as error:
        letter_issue(
            actor=city.manager,
            measure_code="restriction",
            context=restriction_context(ends_on=dt.date(2026, 1, 1)),
        )
    assert "終了日は開始日と同じか後の日付にしてください。" in error.value.messages
    with pytest.raises(ValidationError, match="宛先の氏名"):
        letter_issue(actor=city.manager, measure_code="warning", context=warning_context(addressee_name="  "))
    with pytest.raises(ValidationError, match="発出する文書がありません"):
        letter_issue(actor=city.manager, measure_code="caution", context=warning_context())
    assert not IssuedLetter.objects.exists()
    assert not DocumentNumberSequence.objects.filter(last_number__gt=0).exists()


def test_administrator_issues_no_letters(city):
    with pytest.raises(PermissionDenied):
        letter_issue(actor=city.admin, measure_code="warning", context=warning_context())


# --- Stored, never regenerated --------------------------------------------------


def test_stored_bytes_stay_the_same_after_the_template_changes(city, tmp_path):
    letter = letter_issue(actor=city.manager, measure_code="warning", context=warning_context())
    original = bytes(letter.pdf)
    template = LetterTemplate.objects.get(measure_code="warning")
    old_body = template.body

    letter_template_update(
        actor=city.specialist, template=template, title="警告書", body=old_body + "\n追記：新しい文面です。"
    )

    again = IssuedLetter.objects.get(pk=letter.pk)
    assert bytes(again.pdf) == original
    assert hashlib.sha256(bytes(again.pdf)).hexdigest() == letter.sha256
    assert again.template_body == old_body and again.template_version == 1
    assert "追記" not in flat(pdftotext(bytes(again.pdf), tmp_path))
    newer = letter_issue(actor=city.manager, measure_code="warning", context=warning_context())
    assert "追記：新しい文面です。" in flat(pdftotext(bytes(newer.pdf), tmp_path))
    assert newer.template_version == 2


# --- Templates: placeholders and who may edit -----------------------------------


def test_unknown_placeholder_is_refused_and_template_unchanged(city):
    template = letter_template_for("warning")
    before = (template.title, template.body, template.version)

    with pytest.raises(ValidationError) as error:
        letter_template_update(actor=city.admin, template=template, title="警告書", body="宛先：{宛先氏名}\n{foo}")
    message = error.value.message_dict["body"][0]
    assert message.startswith("テンプレートに不明な差し込み項目「{foo}」があります（使える項目: {文書番号}、")
    assert "{連絡先}" in message
    with pytest.raises(ValidationError, match="波かっこ"):
        letter_template_update(actor=city.admin, template=template, title="警告書", body="{文書番号\n本文")
    with pytest.raises(ValidationError, match="波かっこ"):
        letter_template_update(actor=city.admin, template=template, title="警告書", body="本文}")

    template.refresh_from_db()
    assert (template.title, template.body, template.version) == before
    assert not AuditEntry.objects.filter(action="letters.template.updated").exists()


def test_placeholder_check_names_each_problem():
    assert placeholders.check("{文書番号}　{発出日}\n{事実}") == []
    errors = placeholders.check("{氏名}\n{宛先氏名} {文書番号")
    assert any("「{氏名}」" in e for e in errors)
    assert any(e.startswith("2行目の波かっこ") for e in errors)


def test_only_administrator_and_specialist_may_edit(city, client_for):
    template = letter_template_for("warning")
    for user in (city.staff, city.supervisor, city.manager):
        with pytest.raises(PermissionDenied):
            letter_template_update(actor=user, template=template, title="警告書", body="本文")
        client = client_for(user)
        assert client.get(reverse("letters:template_list")).status_code == 404
        assert client.get(reverse("letters:template_edit", args=[template.pk])).status_code == 404
        response = client.post(
            reverse("letters:template_edit", args=[template.pk]), {"title": "改ざん", "body": "本文"}
        )
        assert response.status_code == 404
    template.refresh_from_db()
    assert template.title == "警告書" and template.version == 1

    response = client_for(city.specialist).post(
        reverse("letters:template_edit", args=[template.pk]), {"title": "警告書", "body": "{宛先氏名}様\n新しい本文"}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "{宛先氏名}様\n新しい本文" and template.version == 2
    assert template.updated_by == city.specialist
    entry = AuditEntry.objects.get(action="letters.template.updated")
    assert entry.before["version"] == 1 and entry.after["body"] == "{宛先氏名}様\n新しい本文"


def test_template_pages_for_the_administrator(city, client_for):
    client = client_for(city.admin)
    page = client.get(reverse("letters:template_list")).content.decode()
    assert "警告書" in page and "対応制限通知書" in page and "見本PDF" in page
    # The pack's measures' letters, and the letter kinds higher apps register (letters.kinds; issue 15 B).
    assert set(LetterTemplate.objects.values_list("measure_code", flat=True)) == {
        "warning",
        "restriction",
        "business_request_reply",
    }
    assert "文書テンプレート" in client.get(reverse("records:home"), follow=True).content.decode()

    template = LetterTemplate.objects.get(measure_code="warning")
    edit = client.get(reverse("letters:template_edit", args=[template.pk])).content.decode()
    assert "{文書番号}" in edit and "{不服申出}" in edit

    response = client.post(
        reverse("letters:template_edit", args=[template.pk]), {"title": "警告書", "body": "{宛先氏名}様\n{foo}"}
    )
    assert response.status_code == 200
    assert "テンプレートに不明な差し込み項目「{foo}」があります" in response.content.decode()
    template.refresh_from_db()
    assert "{foo}" not in template.body and template.version == 1


def test_preview_is_marked_sample_and_takes_no_number(city, client_for, tmp_path):
    template = letter_template_for("restriction")
    client = client_for(city.specialist)

    saved = client.get(reverse("letters:template_preview", args=[template.pk]))
    assert saved.status_code == 200 and saved["Content-Type"] == "application/pdf"
    text = flat(pdftotext(saved.content, tmp_path))
    assert "見本" in text and "大総第号" in text and "見本太郎様" in text

    edited = client.post(
        reverse("letters:template_preview", args=[template.pk]),
        {"title": "対応制限通知書", "body": template.body + "\n保存前の追記"},
    )
    assert edited.status_code == 200
    assert "保存前の追記" in flat(pdftotext(edited.content, tmp_path))
    refused = client.post(
        reverse("letters:template_preview", args=[template.pk]), {"title": "対応制限通知書", "body": "{foo}"}
    )
    assert refused.status_code == 400 and "「{foo}」" in refused.content.decode()

    template.refresh_from_db()
    assert "保存前の追記" not in template.body
    assert not IssuedLetter.objects.exists() and not DocumentNumberSequence.objects.exists()
    assert client_for(city.staff).get(reverse("letters:template_preview", args=[template.pk])).status_code == 404


def test_preview_service_uses_sample_data(city, tmp_path):
    content = letter_preview(measure_code="warning", context=sample_context("warning", today=dt.date(2026, 5, 1)))
    text = flat(pdftotext(content, tmp_path))
    assert "令和8年5月1日" in text and "令和8年4月11日" in text  # issued on, and the first made-up fact
    assert not DocumentNumberSequence.objects.exists()


# --- Another city ----------------------------------------------------------------


def test_another_citys_pack_changes_prefix_titles_and_issuer(city, settings, tmp_path):
    settings.MAMORU_POLICY_PACK = str(MINATO)
    reset_cache()
    warning = letter_issue(actor=city.supervisor, measure_code="warning", context=warning_context())
    limited = letter_issue(
        actor=city.manager,
        measure_code="limited_contact",
        context=restriction_context(issued_on=dt.date(2026, 1, 16)),
    )

    assert (warning.document_number, warning.title) == ("湊総第1号", "警告通知書")
    assert (limited.document_number, limited.title) == ("湊総第2号", "連絡方法限定通知書")
    body = flat(pdftotext(bytes(limited.pdf), tmp_path))
    assert "湊市長印" in body and "湊市カスタマーハラスメント対策要綱" in body
    assert "御意見は総務課までお寄せください。" in body and "人事課内線300" in body
    assert "連絡方法の限定" in body and "令和8年2月1日から令和8年4月30日まで" in body
    assert "大田原市長" not in body and "大総" not in body
