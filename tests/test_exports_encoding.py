"""Every list exports as CSV in UTF-8 (with a BOM) or Shift_JIS (cp932), chosen by the user
(issue 16, part 6). Characters Shift_JIS cannot hold become 〓 and are counted, in the file's
first line and in a message on the next page; characters it only spells differently (〜 − ‖ ¢ £ ¬)
become its look-alikes. The contacts' Excel file holds the content columns and real dates.

The expected bytes are written out here (cp932 codes from the Microsoft table), never taken
from the code under test."""

import csv
import datetime as dt
import io
import time
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts import twofactor
from audit.models import AuditEntry
from mamoru.lib.export_files import to_cp932
from records.models import Contact

from .conftest import PASSWORD
from .factories import make_contact

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _contact_with(city, **texts):
    contact = make_contact(city.staff, summary="件名")
    Contact.objects.filter(pk=contact.pk).update(**texts)  # stored as they are, whatever a form would say
    return contact


# --- the conversion itself ------------------------------------------------------------------


def test_characters_cp932_spells_differently_become_its_look_alikes_and_are_not_counted():
    text, replaced = to_cp932("10時〜12時 −5 ‖ ¢£¬ — ¥")
    assert replaced == 0
    assert text == "10時\uff5e12時 \uff0d5 \u2225 \uffe0\uffe1\uffe2 \u2015 \uffe5"
    # 〜 is 0x8160 in cp932 (its table calls it FULLWIDTH TILDE)
    assert text.encode("cp932")[4:6] == b"\x81\x60"


def test_what_cp932_holds_stays_as_it_is():
    text = "髙橋 﨑 ①⑳ ㈱ № 〓 半角ｶﾅ"
    assert to_cp932(text) == (text, 0)
    # 髙 is an IBM extension (0xFBFC, and 0xEEE0 in NEC's selection), ① an NEC special character
    assert b"\xfb\xfc".decode("cp932") == "髙" and "①".encode("cp932") == b"\x87\x40"


def test_what_cp932_cannot_hold_becomes_a_geta_mark_one_per_character_seen():
    assert to_cp932("𠮷野家") == ("〓野家", 1)
    assert to_cp932("怒😡です") == ("怒〓です", 1)
    assert to_cp932("家族👨\u200d👩\u200d👧と👍🏽") == ("家族〓と〓", 2)  # a joined emoji and a skin tone: one each
    assert to_cp932("José") == ("Jos〓", 1)
    assert to_cp932("葛\U000e0100飾") == ("葛飾", 1)  # a variation selector is dropped, and counted
    assert to_cp932("か\u3099𠮷") == ("が〓", 1)  # a separate voiced mark is composed
    assert to_cp932("\ufa2c\ufa2d𠮷") == ("\ufa2c\ufa2d〓", 1)  # cp932's compatibility kanji stay as they are
    assert to_cp932("見え\u200bない") == ("見えない", 0)  # an invisible zero-width space is dropped


# --- the contact list -----------------------------------------------------------------------


def _csv(client, **params):
    response = client.get("/contacts/", {"format": "csv", **params})
    assert response.status_code == 200, response
    return response


def test_utf8_is_the_default_and_has_a_bom(city, client_for):
    _contact_with(city, summary="𠮷田さん😡")
    response = _csv(client_for(city.staff))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = _rows(response.content.decode("utf-8-sig"))
    assert rows[2][8] == "𠮷田さん😡"
    assert "Shift_JIS" not in rows[0][0]
    assert _csv(client_for(city.staff), encoding="utf-8").content.startswith(b"\xef\xbb\xbf")


def test_a_shift_jis_export_round_trips_what_cp932_holds(city, client_for):
    stored = "髙橋様①より「窓口で〜」"
    _contact_with(city, summary=stored, request_content="税額が高い\r\n説明を求める", outcome="納得された")
    response = _csv(client_for(city.staff), encoding="cp932")
    assert response["Content-Type"] == "text/csv; charset=shift_jis"
    assert not response.content.startswith(b"\xef\xbb\xbf")
    assert "髙橋".encode("cp932") in response.content
    rows = _rows(response.content.decode("cp932"))
    assert rows[0][0].startswith("【出力記録】 対応記録 出力者: 市民 一郎（staff1）")
    assert "表せない文字 0字" in rows[0][0]
    header = rows[1]
    row = dict(zip(header, rows[2], strict=True))
    assert row["件名"] == "髙橋様①より「窓口で～」"  # WAVE DASH written as cp932's 0x8160
    assert row["意見等の内容"] == "税額が高い\r\n説明を求める" and row["結果"] == "納得された"


def test_characters_shift_jis_cannot_hold_are_replaced_counted_and_told(city, client_for):
    _contact_with(city, summary="𠮷田さん😡", words_and_behaviour="「ふざけるな🤬」")
    client = client_for(city.staff)
    response = _csv(client, encoding="cp932")
    rows = _rows(response.content.decode("cp932"))
    assert "表せない文字 3字を「〓」に置き換え" in rows[0][0]
    row = dict(zip(rows[1], rows[2], strict=True))
    assert row["件名"] == "〓田さん〓" and row["住民等の言動"] == "「ふざけるな〓」"
    told = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("3字を「〓」に置き換えました" in message for message in told), told
    # and the next page the user loads shows it
    page = client.get("/contacts/").content.decode()
    assert "3字を「〓」に置き換えました" in page


def test_no_message_when_nothing_was_replaced(city, client_for):
    _contact_with(city, summary="普通の件名")
    response = _csv(client_for(city.staff), encoding="sjis")
    assert "表せない文字 0字" in response.content.decode("cp932").splitlines()[0]
    assert not list(get_messages(response.wsgi_request))


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_formulas_are_neutralised_in_both_encodings(city, client_for, encoding):
    _contact_with(city, summary='=HYPERLINK("http://evil.example")', resident_description="@SUM(1)")
    content = _csv(client_for(city.staff), encoding=encoding).content
    rows = _rows(content.decode("utf-8-sig" if encoding == "utf-8" else "cp932"))
    assert rows[2][8] == '\'=HYPERLINK("http://evil.example")'
    assert rows[2][7] == "'@SUM(1)"


def test_the_last_choice_is_remembered_and_shown(city, client_for):
    _contact_with(city, summary="件名")
    client = client_for(city.staff)
    page = client.get("/contacts/").content.decode()
    assert "format=csv&amp;encoding=utf-8" in page and "format=csv&amp;encoding=cp932" in page
    assert "CSV（Shift_JIS）" in page and "CSV（UTF-8）" in page
    _csv(client, encoding="cp932")
    again = _csv(client)  # no encoding in the link: the last choice
    assert again["Content-Type"] == "text/csv; charset=shift_jis"
    page = client.get("/contacts/").content.decode()
    assert 'class="button chosen" href="?format=csv&amp;encoding=cp932"' in page
    filtered = client.get("/contacts/", {"q": "件名", "encoding": "cp932"}).content.decode()
    assert 'href="?q=%E4%BB%B6%E5%90%8D&amp;format=csv&amp;encoding=utf-8"' in filtered  # the filters kept, once


def test_an_unknown_encoding_exports_utf8_and_says_so(city, client_for):
    _contact_with(city, summary="件名")
    response = _csv(client_for(city.staff), encoding="latin-1")
    assert response.content.startswith(b"\xef\xbb\xbf")
    told = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("文字コード「latin-1」はわからない" in message for message in told), told


def test_a_shift_jis_export_asks_for_the_second_sign_in_and_is_audited(city, client_for):
    _contact_with(city, summary="件名")
    client = client_for(city.staff)
    session = client.session
    session[twofactor.SIGNED_IN_AT] = time.time() - 60 * 60
    session.save()
    url = "/contacts/?format=csv&encoding=cp932"
    stale = client.get(url)
    assert stale.status_code == 302 and stale["Location"].startswith(reverse("accounts:reauthenticate"))
    assert not AuditEntry.objects.filter(action="records.contact.exported").exists()
    again = client.post(stale["Location"], {"password": PASSWORD})
    assert again["Location"] == url
    assert client.get(url)["Content-Type"] == "text/csv; charset=shift_jis"
    entry = AuditEntry.objects.get(action="records.contact.exported")
    assert entry.after["count"] == 1


def test_import_contacts_reads_back_a_shift_jis_export(city, client_for, tmp_path):
    """What cp932 holds comes back as it was (〜 as ～, its cp932 form); the line above the header is skipped."""
    _contact_with(city, summary="髙橋様①の件〜")
    path = tmp_path / "contacts.csv"
    path.write_bytes(_csv(client_for(city.staff), encoding="cp932").content)
    Contact.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_contacts", str(path), "--user", "specialist1", "--map", "開始日時=date", stdout=out, stderr=err
    )
    assert "取り込み: 1件" in out.getvalue(), err.getvalue()
    assert Contact.objects.get().summary == "髙橋様①の件～"


@pytest.mark.parametrize("params", [{"format": "csv", "encoding": "cp932"}, {"format": "csv"}, {"format": "xlsx"}])
def test_whatever_is_stored_exports(city, client_for, params):
    _contact_with(
        city,
        summary="ベル\x07と😡と\u200bと\U000e0100",
        harms=[{"odd": 1}, 3, "unknown"],
        content_unreasonable="??",
        request_content="\r=1+1",
    )
    response = client_for(city.staff).get("/contacts/", params)
    assert response.status_code == 200


# --- the contacts' Excel file ---------------------------------------------------------------


def test_the_contacts_excel_file_has_the_content_and_real_dates(city, client_for):
    # 23:50 to 00:20 Tokyo time, across midnight: stored in UTC, written as Tokyo wall-clock time
    started = dt.datetime(2025, 4, 30, 23, 50, tzinfo=TOKYO)
    contact = make_contact(
        city.staff,
        started_at=started,
        ended_at=started + dt.timedelta(minutes=30),
        summary="窓口での長時間の要求",
        request_content="手数料を返せ",
        words_and_behaviour="「責任者を出せ」",
        staff_response="制度を説明した",
        outcome="退出された",
        place="1階窓口",
    )
    response = client_for(city.staff).get("/contacts/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[2]]
    for name in (
        "件名",
        "意見等の内容",
        "住民等の言動",
        "職員の対応",
        "結果",
        "判断",
        "類型",
        "場所",
        "内容についての理由",
    ):
        assert name in header, name
    cells = dict(zip(header, sheet[3], strict=True))
    assert cells["番号"].value == contact.number
    assert cells["開始日時"].value == dt.datetime(2025, 4, 30, 23, 50)
    assert cells["終了日時"].value == dt.datetime(2025, 5, 1, 0, 20)
    assert cells["開始日時"].is_date and "yy" in cells["開始日時"].number_format
    assert cells["対応時間（分）"].value == 30 and cells["対応時間（分）"].data_type == "n"
    assert cells["意見等の内容"].value == "手数料を返せ"
    assert cells["住民等の言動"].value == "「責任者を出せ」"
    assert cells["職員の対応"].value == "制度を説明した" and cells["結果"].value == "退出された"
    assert cells["場所"].value == "1階窓口"
    assert cells["判断"].value == "未判断"


def test_the_csv_writes_local_times_too(city, client_for):
    started = dt.datetime(2025, 4, 30, 23, 50, tzinfo=TOKYO)
    make_contact(city.staff, started_at=started, ended_at=started + dt.timedelta(minutes=30))
    rows = _rows(_csv(client_for(city.staff), encoding="cp932").content.decode("cp932"))
    assert rows[2][1:4] == ["2025-04-30 23:50", "2025-05-01 00:20", "30.0"]


# --- the other lists: one shared export -----------------------------------------------------
# Each list's fixture stores a text with 𠮷 (not in cp932) and 〜 (WAVE DASH, in cp932 as ～),
# then the list is exported in both encodings, by a user who may read it.

ODD = "𠮷〜"


def _case(city):
    from cases.services import case_open_or_join

    contact = make_contact(city.staff, summary="件名")
    case = case_open_or_join(actor=city.staff, contact=contact, reason="report")
    type(case).objects.filter(pk=case.pk).update(summary=f"{ODD}の事案")
    return city.supervisor, "/cases/?state=all", "事案", f"{ODD}の事案"


def _measure(city):
    from measures import services as measure_services
    from tests.factories import make_resident

    resident = make_resident(city.staff, name=f"{ODD} 太郎", kana="よしの たろう")
    contact = make_contact(city.staff, resident=resident, summary="窓口で大声")
    measure_services.measure_draft(
        actor=city.specialist,
        resident=resident,
        kind="warning",
        terms=measure_services.MeasureTerms(
            reasons="度重なる大声",
            contacts=[contact],
            lead_department=city.shimin,
            starts_on=dt.date(2025, 4, 1),
            requests="大声を出さないこと。",
        ),
    )
    return city.specialist, "/measures/", "措置", f"{ODD} 太郎"


def _flag(city):
    from mamoru.policy.loader import current as current_policy
    from repetition.services import repetition_evaluate
    from tests.factories import make_resident

    resident = make_resident(city.staff, name=f"{ODD} 花子", kana="よしの はなこ")
    rule = next(rule for rule in current_policy().repetition_rules if rule.kind == "contacts_in_days")
    for hours in range(rule.threshold):
        make_contact(city.staff, resident=resident, ago=dt.timedelta(hours=2 + hours))
    repetition_evaluate(resident=resident)
    return city.specialist, "/repetition/", "繰り返しの確認", f"{ODD} 花子"


def _post(city):
    from online.services import post_register

    post_register(
        actor=city.specialist,
        urls=["https://x.com/someone/status/123456"],
        platform="x_twitter",
        affected_staff=[city.staff],
        exposures=["name"],
        content=f"{ODD}という職員は",
    )
    return city.specialist, "/online/?show=all", "インターネット上の投稿", f"{ODD}という職員は"


def _business_request(city):
    from business_requests import services as request_services

    request_services.business_request_receive(
        actor=city.specialist,
        business_name=f"{ODD}運送株式会社",
        contact_person="総務部 佐藤",
        contact_details="0287-11-2222",
        description="窓口で叱責された。",
        asked_for="事実確認",
        staff=[city.staff],
        incident_on=dt.date(2025, 4, 1),
        incident_place="市民課窓口",
        evidence_description="",
    )
    return city.specialist, "/business-requests/", "他事業者からの申入れ", f"{ODD}運送株式会社"


def _audit_log(city):
    contact = make_contact(city.staff, summary="件名")
    Contact.objects.filter(pk=contact.pk).update(summary=f"{ODD}の件名")
    AuditEntry.objects.filter(object_type="records.contact").update(object_repr=f"{ODD}の件名")
    return city.specialist, "/audit/?object_type=records.contact", "監査ログ", f"{ODD}の件名"


def _disclosure(city):
    from django.utils import timezone

    from disclosure import services as disclosure_services
    from tests.factories import make_resident

    resident = make_resident(city.staff, name=f"{ODD} 一郎", kana="よしの いちろう")
    disclosure_services.disclosure_request_register(
        actor=city.specialist,
        resident=resident,
        received_on=timezone.localdate(),
        channel="counter",
        requester_kind="self",
        identity_document="driving_licence",
        content="私に関する対応記録",
        delivery_method="counter",
    )
    return city.specialist, "/disclosure/?state=open", "開示請求の受付簿", f"{ODD} 一郎"


LISTS = {
    "cases": (_case, "cases.case.exported"),
    "measures": (_measure, "measures.measure.exported"),
    "repetition": (_flag, "repetition.flag.exported"),
    "online": (_post, "online.post.exported"),
    "business_requests": (_business_request, "business_requests.request.exported"),
    "audit": (_audit_log, "audit.entry.exported"),
    "disclosure": (_disclosure, "disclosure.request.exported"),
}


def _export_url(url, **params):
    joiner = "&" if "?" in url else "?"
    return url + joiner + "&".join(f"{key}={value}" for key, value in params.items())


@pytest.mark.parametrize("name", LISTS)
def test_each_list_exports_in_both_encodings(city, client_for, name):
    make, action = LISTS[name]
    user, url, title, text = make(city)
    client = client_for(user)
    page = client.get(url)
    assert page.status_code == 200
    assert "encoding=cp932" in page.content.decode()  # the choice is on the list page

    utf8 = client.get(_export_url(url, format="csv", encoding="utf-8"))
    assert utf8.status_code == 200 and utf8.content.startswith(b"\xef\xbb\xbf")
    rows = _rows(utf8.content.decode("utf-8-sig"))
    assert rows[0][0].startswith(f"【出力記録】 {title} 出力者: {user.display_name}（{user.username}）")
    assert any(text in cell for row in rows[2:] for cell in row), rows

    sjis = client.get(_export_url(url, format="csv", encoding="cp932"))
    assert sjis.status_code == 200 and sjis["Content-Type"] == "text/csv; charset=shift_jis"
    rows = _rows(sjis.content.decode("cp932"))
    shown = text.replace("𠮷", "〓").replace("〜", "～")
    assert any(shown in cell for row in rows[2:] for cell in row), rows
    replaced = sum(cell.count("〓") for row in rows[1:] for cell in row)
    assert replaced >= 1 and f"表せない文字 {replaced}字" in rows[0][0]
    assert any(f"{replaced}字を「〓」に置き換えました" in str(m) for m in get_messages(sjis.wsgi_request))

    xlsx = client.get(_export_url(url, format="xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.title == title[:31]
    assert any(text in str(cell) for row in sheet.iter_rows(min_row=3, values_only=True) for cell in row)

    entries = AuditEntry.objects.filter(action=action, actor=user)
    assert entries.count() == 3
    assert entries.first().after["count"] == len(rows) - 2


@pytest.mark.parametrize("name", LISTS)
def test_each_list_export_asks_for_the_second_sign_in_first(city, client_for, name):
    make, action = LISTS[name]
    user, url, _title, _text = make(city)
    client = client_for(user)
    session = client.session
    session[twofactor.SIGNED_IN_AT] = time.time() - 60 * 60
    session.save()
    stale = client.get(_export_url(url, format="csv", encoding="cp932"))
    assert stale.status_code == 302 and stale["Location"].startswith(reverse("accounts:reauthenticate"))
    assert not AuditEntry.objects.filter(action=action).exists()


def test_dates_in_list_files_are_excel_dates(city, client_for):
    _measure(city)
    sheet = load_workbook(io.BytesIO(client_for(city.specialist).get("/measures/?format=xlsx").content)).active
    cells = dict(zip([cell.value for cell in sheet[2]], sheet[3], strict=True))
    assert cells["開始日"].value == dt.datetime(2025, 4, 1) and cells["開始日"].is_date
    assert cells["起案日時"].is_date and cells["起案日時"].number_format == "yyyy/mm/dd hh:mm"


def test_the_administrator_s_audit_file_names_no_object(city, client_for):
    _audit_log(city)
    rows = _rows(client_for(city.admin).get("/audit/?format=csv").content.decode("utf-8-sig"))
    assert not any(ODD in cell for row in rows[2:] for cell in row)
    assert "変更後・条件と件数" not in rows[1]


def test_a_wrong_audit_filter_exports_nothing(city, client_for):
    response = client_for(city.specialist).get("/audit/?format=csv&date_from=yesterday")
    assert response["Content-Type"].startswith("text/html")
    assert "書き出しませんでした" in response.content.decode()
