"""Monthly and yearly reports (issue 16): Excel read back with openpyxl, PDF read back
with pdftotext, the command line, the page; figures checked against counts made here
from the fixture data."""

import datetime as dt
import io
import shutil
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from records.choices import HarassmentJudgement
from stats.reports import ReportKind, report_build, report_render

from .factories import make_contact

TOKYO = ZoneInfo("Asia/Tokyo")
YES = dict(
    harassment=HarassmentJudgement.YES,
    categories=["verbal_abuse"],
    content_unreasonable="no",
    manner_inappropriate="yes",
    manner_reason="大声で職員を罵倒し続けた",
)
STAFF_NAMES = ("市民 一郎", "税務 花子", "総務 専門", "市民 課長", "市民 課長補佐")


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def contact_on(actor, start, minutes=10, **fields):
    return make_contact(actor, started_at=start, ended_at=start + dt.timedelta(minutes=minutes), **fields)


@pytest.fixture
def two_years(city):
    """令和7年度: 市民課 12 contacts (3 harassment, 11 in November), 税務課 2 (1 harassment).
    令和6年度: 市民課 5 contacts (1 in October 2024... the month before November 2025 has 1)."""
    for day in range(1, 12):
        contact_on(city.staff, at(2025, 11, day), **(YES if day <= 3 else {}))
    contact_on(city.staff, at(2025, 10, 20))
    contact_on(city.zeimu_staff, at(2025, 6, 2, 14), minutes=31, **YES)
    contact_on(city.zeimu_staff, at(2025, 6, 3, 14))
    for month in (4, 5, 6, 7, 8):
        contact_on(city.staff, at(2024, month, 10))


def tables_of(report):
    return {item.table.key: item for item in report.tables}


def workbook(content):
    return load_workbook(io.BytesIO(content))


def sheet_rows(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def row_of(sheet, label):
    return next(row for row in sheet_rows(sheet) if row and row[0] == label)


def test_yearly_report_compares_with_the_year_before(city, two_years):
    report = report_build(user=city.specialist, kind=ReportKind.YEARLY, fiscal_year=2025)
    by_department = tables_of(report)["contacts_by_department"]
    labels = [row.label for row in by_department.table.rows]
    shimin = labels.index("市民課")
    assert by_department.current.rows[shimin][:2] == [12, 3]
    assert by_department.row_previous[shimin] == 5
    assert by_department.current.totals[0] == 14 and by_department.previous_totals[0] == 5
    by_month = tables_of(report)["contacts_by_month"]
    months = [row.label for row in by_month.table.rows]
    november = months.index("令和7年11月")
    assert by_month.current.rows[november][0] == 11
    assert by_month.row_previous[months.index("令和7年4月")] == 1  # April 2024
    assert by_month.row_previous[november] == 0


def test_a_monthly_report_compares_with_the_month_before(city, two_years):
    report = report_build(user=city.manager, kind=ReportKind.MONTHLY, fiscal_year=2025, month=(2025, 11))
    assert report.period.label == "令和7年11月" and report.previous_period.label == "令和7年10月"
    by_department = tables_of(report)["contacts_by_department"]
    assert [row.label for row in by_department.table.rows] == ["市民課"]  # the manager's department only
    assert by_department.current.rows[0][:2] == [11, 3]
    assert by_department.row_previous[0] == 1


def test_excel_has_numbers_dates_and_one_sheet_per_table(city, two_years):
    report = report_build(user=city.specialist, kind=ReportKind.YEARLY, fiscal_year=2025)
    book = workbook(report_render(report, "xlsx"))
    assert book.sheetnames[0] == "概要"
    assert len(book.sheetnames) == len(report.tables) + 1
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert len({name.lower() for name in book.sheetnames}) == len(book.sheetnames)
    summary = {row[0]: row[1] for row in sheet_rows(book["概要"]) if row[0]}
    assert summary["期間の初日"] == dt.datetime(2025, 4, 1)
    assert summary["期間の末日"] == dt.datetime(2026, 3, 31)
    assert isinstance(summary["作成日"], dt.datetime)
    assert summary["区分"] == "内部資料"
    assert str(sheet_rows(book["概要"])[0][0]).startswith("【出力記録】")
    sheet = book["所属別の対応件数"]
    header = next(row for row in sheet_rows(sheet) if row[0] == "所属")
    assert header[-2:] == ["前期: 対応件数", "増減"]
    shimin = row_of(sheet, "市民課")
    assert shimin[1:3] == [12, 3] and shimin[-2:] == [5, 7]
    assert isinstance(shimin[1], int)
    hours = book["月別の対応件数と対応時間"]
    november = row_of(hours, "令和7年11月")
    assert november[3] == pytest.approx(11 * 10 / 60, abs=0.1)
    number_formats = {c.number_format for row in hours.iter_rows() for c in row if isinstance(c.value, float)}
    assert "#,##0.0" in number_formats


def test_the_public_report_suppresses_small_counts_and_names_no_one(city, two_years, tmp_path):
    output = tmp_path / "public.xlsx"
    call_command("report", "--fiscal-year", "2025", "--public", "--format", "xlsx", "--output", str(output))
    book = workbook(output.read_bytes())
    every_cell = [v for name in book.sheetnames for row in sheet_rows(book[name]) for v in row if v is not None]
    assert not any(name in str(v) for v in every_cell for name in STAFF_NAMES)
    summary = {row[0]: row[1] for row in sheet_rows(book["概要"]) if row[0]}
    assert summary["区分"] == "公表用" and summary["少数秘匿の基準（件）"] == 10
    assert summary["対象所属"] == "全所属"
    sheet = book["所属別の対応件数"]
    # 税務課's 2 is 「10未満」; with 12 and the total 14 published it could be worked out,
    # so the 12 (the smallest other non-zero) is hidden too; zero stays zero.
    assert row_of(sheet, "市民課")[1:3] == ["秘匿", "10未満"]
    assert row_of(sheet, "税務課")[1:3] == ["10未満", "10未満"]
    assert row_of(sheet, "総務課")[1:3] == [0, 0]
    assert row_of(sheet, "合計")[1:3] == [14, "10未満"]  # 4 harassment contacts in all: a small count
    months = book["月別の対応件数と対応時間"]
    november = row_of(months, "令和7年11月")
    assert november[1] == 11 and november[2] == "10未満" and november[4] == "秘匿"  # its hours go with it
    entry = AuditEntry.objects.filter(action="stats.report.created").latest("pk")
    assert entry.after["public"] is True and entry.actor_name == "python -m mamoru report"


def pdftotext(content: bytes, tmp_path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail(
            "pdftotext がありません。Debian のパッケージ poppler-utils をインストールしてください（make fonts）。"
        )
    source = tmp_path / "report.pdf"
    source.write_bytes(content)
    return subprocess.run(
        [tool, "-layout", str(source), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()


def test_the_pdf_report_has_a_title_page_tables_and_page_numbers(city, two_years, tmp_path):
    report = report_build(user=None, kind=ReportKind.YEARLY, fiscal_year=2025, public=True)
    content = report_render(report, "pdf")
    assert content.startswith(b"%PDF")
    pages = pdftotext(content, tmp_path).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 3
    first = pages[0]
    assert "令和7年度" in first and "公表用" in first and "作成日" in first and "令和7年4月1日" in first
    assert f"-1/{len(pages)}-" in first.replace(" ", "")
    text = "".join(pages)
    assert "所属別の対応件数" in text and "10未満" in text and "前期" in text
    assert not any(name in text for name in STAFF_NAMES)
    assert report_render(report, "pdf") == content  # the same report, the same bytes


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--fiscal-year", "2025", "--format", "doc", "--output", "x"], "--format は pdf または xlsx"),
        (["--fiscal-year", "2025", "--public", "--threshold", "0", "--format", "pdf", "--output", "x"], "1以上の整数"),
        (
            ["--fiscal-year", "2025", "--public", "--threshold", "abc", "--format", "pdf", "--output", "x"],
            "1以上の整数",
        ),
        (["--fiscal-year", "2025", "--month", "2026-04", "--format", "pdf", "--output", "x"], "2025年度"),
        (["--fiscal-year", "2025", "--month", "2025-13", "--format", "pdf", "--output", "x"], "2025-11"),
        (
            ["--fiscal-year", "2025", "--month", "2025-11", "--public", "--format", "pdf", "--output", "x"],
            "年次報告だけ",
        ),
        (["--fiscal-year", "2025", "--department", "nothing", "--format", "pdf", "--output", "x"], "nothing"),
        (["--fiscal-year", "R7", "--format", "pdf", "--output", "x"], "西暦"),
        (["--format", "pdf", "--output", "x"], "--fiscal-year"),
    ],
)
def test_bad_arguments_read_a_japanese_message(city, tmp_path, arguments, message):
    arguments = [str(tmp_path / "out") if a == "x" else a for a in arguments]
    with pytest.raises(CommandError, match=message):
        call_command("report", *arguments)


def test_the_command_writes_a_monthly_report_for_named_departments(city, two_years, tmp_path):
    output = tmp_path / "monthly.pdf"
    call_command(
        "report",
        "--fiscal-year",
        "2025",
        "--month",
        "2025-11",
        "--department",
        "zeimu",
        "--format",
        "pdf",
        "--output",
        str(output),
    )
    text = pdftotext(output.read_bytes(), tmp_path)
    assert "令和7年11月" in text and "内部資料" in text and "税務課" in text


def test_the_command_line_exits_non_zero_without_a_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mamoru",
            "report",
            "--fiscal-year",
            "2025",
            "--public",
            "--threshold",
            "0",
            "--format",
            "pdf",
            "--output",
            str(tmp_path / "r.pdf"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "1以上の整数" in result.stderr and "Traceback" not in result.stderr


def test_only_managers_and_the_specialist_section_reach_the_report_page(city, client_for):
    for user in (city.staff, city.supervisor, city.admin):
        assert client_for(user).get(reverse("stats:report")).status_code == 403
    page = client_for(city.manager).get(reverse("stats:report"))
    assert page.status_code == 200 and "threshold" not in page.context["form"].fields  # public: specialist only
    page = client_for(city.specialist).get(reverse("stats:report"))
    assert page.context["form"]["threshold"].initial == 10
    assert reverse("stats:report") in client_for(city.specialist).get(reverse("stats:dashboard")).content.decode()


def report_query(**fields):
    query = {"kind": "yearly", "fiscal_year": "2025", "format": "xlsx"}
    query.update(fields)
    return query


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"public": "on", "threshold": "0"}, "秘匿の基準は1以上の整数で指定してください。"),
        ({"public": "on", "threshold": "abc"}, "秘匿の基準は1以上の整数で指定してください。"),
        ({"kind": "monthly", "month": "2026-04"}, "月は令和7年度（2025年4月〜2026年3月）の中で指定してください。"),
        ({"kind": "monthly", "month": ""}, "月次報告の月を入力してください"),
        ({"kind": "monthly", "month": "2025-13"}, "2025-11"),
        ({"kind": "monthly", "month": "2025-11", "public": "on"}, "公表用の報告は年次報告だけです。"),
        ({"department": "999999"}, "指定された所属はありません"),
        ({"format": "doc"}, "正しく選択してください"),
    ],
)
def test_the_report_form_reads_japanese_messages(city, client_for, fields, message):
    page = client_for(city.specialist).get(reverse("stats:report"), report_query(**fields))
    assert page.status_code == 400
    assert message in page.content.decode()


def test_a_manager_cannot_report_on_another_department(city, client_for, two_years):
    client = client_for(city.manager)
    assert client.get(reverse("stats:report"), report_query(department=city.zeimu.pk)).status_code == 404
    # and may not ask for the public report (the field is not there: the report stays internal)
    response = client.get(reverse("stats:report"), report_query(public="on"))
    book = workbook(response.content)
    summary = {row[0]: row[1] for row in sheet_rows(book["概要"]) if row[0]}
    assert summary["区分"] == "内部資料" and summary["対象所属"] == "市民課"


def test_the_page_downloads_the_public_report(city, client_for, two_years):
    response = client_for(city.specialist).get(reverse("stats:report"), report_query(public="on", threshold="3"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "mamoru-report-fy2025-public.xlsx" in response["Content-Disposition"]
    book = workbook(response.content)
    sheet = book["所属別の対応件数"]
    assert row_of(sheet, "税務課")[1:3] == ["3未満", "3未満"]  # 2 and 1 under the threshold of 3
    every_cell = [v for name in book.sheetnames for row in sheet_rows(book[name]) for v in row if v is not None]
    every_cell += [book.properties.creator, book.properties.description]
    assert not any(name in str(v) for v in every_cell for name in STAFF_NAMES)
    entry = AuditEntry.objects.filter(action="stats.report.created").latest("pk")
    assert entry.actor == city.specialist and entry.after["threshold"] == 3
    pdf = client_for(city.specialist).get(reverse("stats:report"), report_query(format="pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_department_renamed_since_last_year_is_compared_with_itself(city, two_years):
    city.shimin.name = "市民生活課"
    city.shimin.save()
    report = report_build(user=city.specialist, kind=ReportKind.YEARLY, fiscal_year=2025)
    by_department = tables_of(report)["contacts_by_department"]
    labels = [row.label for row in by_department.table.rows]
    assert "市民課" not in labels
    row = labels.index("市民生活課")
    assert by_department.current.rows[row][0] == 12 and by_department.row_previous[row] == 5


def test_nothing_hidden_in_the_public_report_can_be_worked_out(city, two_years):
    from .test_stats_suppression import assert_protected

    report = report_build(user=None, kind=ReportKind.YEARLY, fiscal_year=2025, public=True)
    assert any(item.current.suppressed for item in report.tables)
    for item in report.tables:
        assert item.table.public and not item.table.names_people
        assert_protected(item.current, 10)
        if item.previous is not None:
            assert_protected(item.previous, 10)


def test_the_report_runs_a_bounded_number_of_queries(city, two_years):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            report_build(user=city.specialist, kind=ReportKind.YEARLY, fiscal_year=2025)
        return len(queries)

    before = count()
    for day in range(1, 15):
        contact_on(city.zeimu_staff, at(2025, 7, day), **(YES if day % 2 else {}))
        contact_on(city.staff, at(2024, 9, day))
    assert count() == before
