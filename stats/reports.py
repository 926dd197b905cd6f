"""Monthly and yearly reports (issue 16): the dashboard's tables for one period,
compared with the period before, ready for ``stats.report_pdf`` and ``stats.report_xlsx``.

- An internal report (内部資料) counts the departments its reader may count (a manager's
  own; those the specialist section chooses; the command line: every department or
  those named). A monthly report compares with the month before, a yearly one with
  the fiscal year before.
- The public report (公表用) is yearly, counts every department, carries only the tables
  meant for publication and suppresses small counts in every table, previous year
  included (``stats.suppression``).
- No report carries a table that names a person (staff exposure stays on the page):
  a report is figures only, so it can go round a meeting without the second sign-in.

Reading a report writes its audit entry (``stats.report.created``): what was reported,
for whom and how; the entry holds no figure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.models import Department
from audit.services import audit_record
from mamoru.lib.figures import Number, Period, Scope, Table
from mamoru.lib.wareki import format_seireki, format_wareki
from mamoru.policy.loader import current as current_policy

from .periods import fiscal_year_period, month_period, previous_period
from .selectors import stats_scope, stats_sections
from .suppression import Published, suppress_report, unsuppressed


class ReportKind:
    MONTHLY = "monthly"
    YEARLY = "yearly"
    LABELS = {MONTHLY: "月次報告", YEARLY: "年次報告"}


class ReportFormat:
    PDF = "pdf"
    XLSX = "xlsx"
    CHOICES = [(PDF, "PDF"), (XLSX, "Excel（xlsx）")]


@dataclass
class ReportTable:
    """One table of the report: this period's, as published, and the same table of the
    period before (``None`` when that period has no such table)."""

    section: str
    current: Published
    previous: Published | None
    # Per row of ``current``: the previous period's value of the first column, as published
    # (``None`` where no row of the previous period matches).
    row_previous: list[Number | str] = field(default_factory=list)

    @property
    def table(self) -> Table:
        return self.current.table

    @property
    def previous_totals(self) -> list[Number | str] | None:
        if self.previous is None or self.current.totals is None:
            return None
        return self.previous.totals


@dataclass
class Report:
    kind: str
    public: bool
    period: Period
    previous_period: Period
    department_names: list[str]
    all_departments: bool
    threshold: int | None  # the public report's; None: nothing suppressed
    created_at: dt.datetime
    author: str
    city: str
    style: str
    tables: list[ReportTable]

    @property
    def audience_label(self) -> str:
        return "公表用" if self.public else "内部資料"

    @property
    def title(self) -> str:
        return f"{self.period.label} カスタマーハラスメント対応状況（{ReportKind.LABELS[self.kind]}）"

    def show_date(self, day: dt.date) -> str:
        return format_wareki(day) if self.style == "wareki" else format_seireki(day)

    @property
    def period_text(self) -> str:
        return f"{self.show_date(self.period.start)}〜{self.show_date(self.period.end)}"

    @property
    def previous_text(self) -> str:
        previous = self.previous_period
        return f"{previous.label}（{self.show_date(previous.start)}〜{self.show_date(previous.end)}）"

    @property
    def created_on(self) -> dt.date:
        return timezone.localtime(self.created_at).date()

    @property
    def departments_text(self) -> str:
        if self.all_departments:
            return "全所属"
        return "、".join(self.department_names) or "（なし）"

    def about_lines(self) -> list[str]:
        """The lines of the title page (and the summary sheet), in order."""
        lines = [
            f"対象期間: {self.period_text}",
            f"対象所属: {self.departments_text}",
            f"比較対象: {self.previous_text}",
            f"作成日: {self.show_date(self.created_on)}",
            f"区分: {self.audience_label}",
        ]
        if self.threshold is not None:
            lines.append(
                f"少数秘匿: {self.threshold}件未満の件数は「{self.threshold}未満」、"
                "それを合計などから計算できないように伏せた値は「秘匿」と表示しています（0件は0と表示）。"
            )
        return lines


def change(current, previous):
    """This period minus the one before, where both are published numbers."""
    numbers = (int, float)
    if isinstance(current, numbers) and isinstance(previous, numbers) and not isinstance(current, bool):
        value = current - previous
        return round(value, 1) if isinstance(value, float) else value
    return None


def report_period(*, kind: str, fiscal_year: int, month: tuple[int, int] | None, style: str) -> Period:
    if kind == ReportKind.MONTHLY:
        return month_period(*month, style=style)
    return fiscal_year_period(fiscal_year, style=style)


def _report_tables(scope: Scope) -> list[tuple[str, Table]]:
    return [
        (section.title, table)
        for section, tables in stats_sections(scope=scope)
        for table in tables
        if not table.names_people
    ]


def _match_rows(current: Table, previous: Table) -> list[int | None]:
    """For each row of ``current`` the index of the same row in ``previous``: by label
    (departments, channels, hours), else by position (the months of a year)."""
    labels = {row.label: index for index, row in enumerate(previous.rows)}
    by_label = [labels.get(row.label) for row in current.rows]
    if any(index is not None for index in by_label) or len(current.rows) != len(previous.rows):
        return by_label
    return list(range(len(current.rows)))


def _publish(tables: list[Table], threshold: int | None) -> list[Published]:
    if threshold is None:
        return [unsuppressed(table) for table in tables]
    return suppress_report(tables, threshold)


def report_build(
    *,
    user,
    kind: str,
    fiscal_year: int,
    month: tuple[int, int] | None = None,
    department_ids=None,
    public: bool = False,
    threshold: int | None = None,
    author: str = "",
) -> Report:
    """The report for ``user`` (narrowed to the departments they may count; a department
    outside them is answered 404 by ``stats_scope``), or with ``user=None`` (the command
    line) for every department or those in ``department_ids``."""
    if public and kind != ReportKind.YEARLY:
        raise ValueError("the public report is yearly")
    style = (getattr(user, "date_style", "") or "wareki") if user is not None else "wareki"
    period = report_period(kind=kind, fiscal_year=fiscal_year, month=month, style=style)
    before = previous_period(period, style)
    chosen = None if public else (list(department_ids) if department_ids else None)
    if user is not None:
        scope = stats_scope(user=user, period=period, department_ids=chosen, public=public)
    else:
        ids = chosen or list(Department.objects.values_list("pk", flat=True))
        scope = Scope(period=period, department_ids=tuple(sorted(ids)), user=None, public=public)
    previous_scope = Scope(period=before, department_ids=scope.department_ids, user=scope.user, public=scope.public)
    if public:
        threshold = threshold if threshold is not None else current_policy().statistics.suppression_threshold
    else:
        threshold = None
    current_tables = _report_tables(scope)
    previous_tables = {table.key: table for _, table in _report_tables(previous_scope)}
    published = _publish([table for _, table in current_tables], threshold)
    previous_keys = [key for key in previous_tables]
    previous_published = dict(
        zip(previous_keys, _publish([previous_tables[key] for key in previous_keys], threshold), strict=True)
    )
    tables = []
    for (section, table), shown in zip(current_tables, published, strict=True):
        previous = previous_published.get(table.key)
        row_previous: list = [None] * len(table.rows)
        if previous is not None:
            for index, match in enumerate(_match_rows(table, previous.table)):
                if match is not None and previous.rows[match]:
                    row_previous[index] = previous.rows[match][0]
        tables.append(ReportTable(section=section, current=shown, previous=previous, row_previous=row_previous))
    every = Department.objects.count()
    departments = Department.objects.filter(pk__in=scope.department_ids).order_by("sort_order", "id")
    pack = current_policy()
    if public:
        author = pack.city.specialist_section  # the public report names no person, its author neither
    return Report(
        kind=kind,
        public=public,
        period=period,
        previous_period=before,
        department_names=[department.name for department in departments],
        all_departments=public or (len(scope.department_ids) == every and every > 1),
        threshold=threshold,
        created_at=timezone.now(),
        author=author or (user.display_name if user is not None else ""),
        city=pack.city.name,
        style=style,
        tables=tables,
    )


def report_record(*, actor, report: Report, output_format: str, actor_name: str = "") -> None:
    """The audit entry of a report made (no figure in it)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="stats.report.created",
            actor_name=actor_name,
            after={
                "kind": report.kind,
                "public": report.public,
                "period": [report.period.start.isoformat(), report.period.end.isoformat()],
                "departments": report.department_names,
                "threshold": report.threshold,
                "format": output_format,
            },
        )


def report_filename(report: Report, output_format: str) -> str:
    audience = "public" if report.public else "internal"
    if report.kind == ReportKind.MONTHLY:
        span = f"{report.period.start:%Y-%m}"
    else:
        span = f"fy{report.period.start.year}"
    return f"mamoru-report-{span}-{audience}.{output_format}"


def parse_month(text: str) -> tuple[int, int] | None:
    """「2025-11」 → (2025, 11); None when it is not a month."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        dt.date(year, month, 1)
    except ValueError:
        return None
    return year, month


def month_in_fiscal_year(month: tuple[int, int], fiscal_year: int) -> bool:
    year, number = month
    return (year, number) >= (fiscal_year, 4) and (year, number) <= (fiscal_year + 1, 3)


def report_render(report: Report, output_format: str) -> bytes:
    if output_format == ReportFormat.PDF:
        from .report_pdf import render_report_pdf

        return render_report_pdf(report)
    from .report_xlsx import render_report_xlsx

    return render_report_xlsx(report)
