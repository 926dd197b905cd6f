"""``python -m mamoru report --fiscal-year 2025 [--month 2025-11] [--public]
[--department CODE ...] [--threshold N] --format pdf|xlsx --output FILE``:
the monthly or yearly report, counted over every department (or those named)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Department

from ...forms import EARLIEST_YEAR
from ...reports import (
    ReportFormat,
    ReportKind,
    month_in_fiscal_year,
    parse_month,
    report_build,
    report_record,
    report_render,
)


class Command(BaseCommand):
    help = "月次報告・年次報告（PDF または Excel）を作成する。"

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", dest="fiscal_year", default="", help="年度（西暦、例: 2025 = 令和7年度）")
        parser.add_argument("--month", default="", help="月次報告の月（例: 2025-11）。省略すると年次報告")
        parser.add_argument("--public", action="store_true", help="公表用（全所属、少数秘匿つき。年次報告のみ）")
        parser.add_argument(
            "--department", action="append", default=[], help="所属コード（複数指定可。省略すると全所属）"
        )
        parser.add_argument("--threshold", default="", help="少数秘匿の基準（1以上の整数。既定はポリシーパックの値）")
        parser.add_argument("--format", dest="output_format", default="", help="pdf または xlsx")
        parser.add_argument("--output", default="", help="書き出すファイル")

    def handle(self, *args, **options):
        output_format = options["output_format"].strip().lower()
        if output_format not in (ReportFormat.PDF, ReportFormat.XLSX):
            raise CommandError("--format は pdf または xlsx で指定してください。")
        if not options["output"]:
            raise CommandError("--output に書き出すファイルを指定してください。")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"書き出し先のフォルダ「{output.parent}」がありません。")
        month = None
        if options["month"]:
            month = parse_month(options["month"])
            if month is None:
                raise CommandError("--month は「2025-11」の形で指定してください。")
        fiscal_year = _year(options["fiscal_year"], month)
        if month is not None and not month_in_fiscal_year(month, fiscal_year):
            raise CommandError(
                f"--month は{fiscal_year}年度（{fiscal_year}年4月〜{fiscal_year + 1}年3月）の月で指定してください。"
            )
        public = options["public"]
        if public and month is not None:
            raise CommandError("公表用の報告（--public）は年次報告だけです。--month を外してください。")
        if public and options["department"]:
            raise CommandError("公表用の報告（--public）は全所属を集計します。--department は指定できません。")
        threshold = None
        if options["threshold"]:
            if not public:
                raise CommandError("少数秘匿の基準（--threshold）は公表用の報告（--public）にだけ指定できます。")
            try:
                threshold = int(options["threshold"])
            except ValueError:
                threshold = 0
            if threshold < 1:
                raise CommandError("秘匿の基準（--threshold）は1以上の整数で指定してください。")
        department_ids = []
        for code in options["department"]:
            department = Department.objects.filter(code=code).first()
            if department is None:
                raise CommandError(f"所属コード「{code}」の所属はありません。")
            department_ids.append(department.pk)
        kind = ReportKind.MONTHLY if month is not None else ReportKind.YEARLY
        report = report_build(
            user=None,
            kind=kind,
            fiscal_year=fiscal_year,
            month=month,
            department_ids=department_ids,
            public=public,
            threshold=threshold,
        )
        content = report_render(report, output_format)
        try:
            output.write_bytes(content)
        except OSError as error:
            raise CommandError(f"「{output}」に書き出せません（{error.strerror}）。") from None
        report_record(actor=None, report=report, output_format=output_format, actor_name="python -m mamoru report")
        self.stdout.write(f"{report.title}（{report.audience_label}）を {output} に書き出しました。")


def _year(text: str, month) -> int:
    if not text:
        if month is None:
            raise CommandError("--fiscal-year に年度を西暦で指定してください（例: 2025）。")
        year, number = month
        return year if number >= 4 else year - 1
    try:
        year = int(text)
    except ValueError:
        raise CommandError("--fiscal-year は西暦の年（例: 2025）で指定してください。") from None
    if not EARLIEST_YEAR <= year <= 2998:
        raise CommandError(f"--fiscal-year は{EARLIEST_YEAR}から2998までで指定してください。")
    return year
