"""``import-contacts`` never ends in a traceback (issue 13, A11): a row dated
0001/1/1 or in the future is reported by its row number and skipped while the
other rows are imported (each row is its own transaction, as before); a
truncated or non-zip .xlsx and a 5 MB CSV cell are refused as a whole with a
Japanese message, before anything is saved."""

import io

import pytest
from django.core.management.base import CommandError
from openpyxl import Workbook

from records.models import Contact

from .test_import_contacts import HEADER, row, run, write_csv


@pytest.mark.parametrize(
    ("day", "message"), [("0001/1/1", "1989年1月1日より前"), ("1850/6/1", "より前"), ("9999/12/31", "未来")]
)
def test_a_row_dated_outside_the_records_is_reported_and_the_others_imported(city, tmp_path, day, message):
    rows = [row(氏名=f"住民 {i}", 対応日="2025/4/1", 開始時刻=f"9:0{i}") for i in range(4)]
    rows.append(row(氏名="住民 誤り", 対応日=day))
    rows.append(row(氏名="住民 最後", 対応日="2025/4/2"))
    code, out, err = run(write_csv(tmp_path / "kiroku.csv", rows))
    assert code == 1
    assert "6行目" in err and message in err
    assert "Traceback" not in out + err
    assert Contact.objects.count() == 5
    assert "取り込み: 5件" in out and "読めなかった行: 1件" in out


def _xlsx_bytes():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for i in range(200):
        sheet.append(row(氏名=f"住民 {i}", 内容="長い内容" * 50))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda: _xlsx_bytes()[: len(_xlsx_bytes()) // 2], id="truncated"),
        pytest.param(lambda: _xlsx_bytes()[:-200], id="cut-at-the-end"),
        pytest.param(lambda: "対応日,開始時刻\n2025/4/1,9:00\n".encode(), id="a-csv-named-xlsx"),
        pytest.param(lambda: b"", id="empty"),
    ],
)
def test_a_broken_xlsx_is_a_clear_error(city, tmp_path, content):
    path = tmp_path / "kiroku.xlsx"
    path.write_bytes(content())
    with pytest.raises(CommandError, match="Excelファイル「kiroku.xlsx」"):
        run(path)
    assert not Contact.objects.exists()


def test_a_huge_csv_cell_is_a_clear_error(city, tmp_path):
    rows = [row(氏名="住民 一"), row(氏名="住民 二", 内容="あ" * (5 * 1024 * 1024 // 3))]
    with pytest.raises(CommandError, match="3行目を読めません"):
        run(write_csv(tmp_path / "kiroku.csv", rows))
    assert not Contact.objects.exists()
