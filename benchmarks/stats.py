"""The statistics (issue 16) with 100,000 and 1,000,000 demo contacts: the
dashboard for one fiscal year, of every department and of one, and the yearly
report (PDF and Excel, internal and public, from /stats/report/).

    .venv/bin/python benchmarks/stats.py [--sizes 1000000]
        [--databases postgresql] [--repeat 10] [--reseed]

Uses the databases of ``run.py`` (seeded once with ``seed_demo``, reused by
later runs). The year measured is the fiscal year (年度) that holds the most
contacts: the demo spreads its contacts over the twelve months before the day
it was seeded, so that year holds about two thirds of them or more; its count
is written beside the times. Each request goes through Django's test client
and the full middleware stack; the number of SQL statements of each is counted
in one more request, outside the timing.

Appends to benchmarks/results/latest.json (rows of the same name, database and
size are replaced): {name, value, unit, database, contacts}.
Targets at 1,000,000 on PostgreSQL: every department ≤ 1 s, one department
≤ 300 ms, the yearly report ≤ 10 s. Exit status 1 when one is missed there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
WARM_UP = 2
# (metric, limit in ms) at 1,000,000 contacts on PostgreSQL.
TARGETS = (
    ("stats_dashboard_all_ms", 1000.0),
    ("stats_dashboard_department_ms", 300.0),
    ("stats_report_pdf_ms", 10_000.0),
    ("stats_report_xlsx_ms", 10_000.0),
    ("stats_report_public_xlsx_ms", 10_000.0),
)
MANAGER = "manager1"  # 市民課, the department with the most contacts in the demo


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="mamoru 統計のベンチマーク")
    parser.add_argument("--sizes", default="100000,1000000", help="対応記録の件数（カンマ区切り）")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql（カンマ区切り）")
    parser.add_argument("--repeat", type=int, default=10, help="1項目あたりの計測回数（中央値をとる）")
    parser.add_argument("--reseed", action="store_true", help="作成済みのデータベースを作り直す")
    parser.add_argument("--worker", nargs=2, metavar=("DATABASE", "CONTACTS"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# ---------------------------------------------------------------- child process


def busiest_fiscal_year():
    """(fiscal year, contacts in it) for the fiscal year that holds the most live
    contacts among the last two with any (two index range counts)."""
    from django.utils import timezone

    from mamoru.lib.wareki import fiscal_year
    from records.models import Contact
    from stats.periods import fiscal_year_period

    tz = timezone.get_current_timezone()
    last = fiscal_year(timezone.localtime(Contact.objects.latest("started_at").started_at, tz).date())
    counted = []
    for year in (last, last - 1):
        start, end = fiscal_year_period(year).bounds(tz)
        live = Contact.objects.filter(started_at__gte=start, started_at__lt=end, deleted_at__isnull=True)
        counted.append((live.count(), year))
    contacts, year = max(counted)
    return year, contacts


class Measures:
    """The requests and builds to time, each a function returning something to check."""

    def __init__(self, year: int):
        from accounts.models import Department, User
        from benchmarks.measure import _client

        self.year = year
        self.specialist = _client("specialist1")
        self.manager_user = User.objects.select_related("department").get(username=MANAGER)
        self.manager = _client(MANAGER)
        self.department: Department = self.manager_user.department
        self.reports = reports_exist()

    def dashboard_all(self):
        return self.specialist.get("/stats/", {"period": "fiscal_year", "fiscal_year": self.year})

    def dashboard_department(self):
        return self.manager.get("/stats/", {"period": "fiscal_year", "fiscal_year": self.year})

    def dashboard_department_specialist(self):
        return self.specialist.get(
            "/stats/", {"period": "fiscal_year", "fiscal_year": self.year, "department": self.department.pk}
        )

    def report(self, file_format: str, public: bool = False):
        params = {"format": file_format, "kind": "yearly", "fiscal_year": self.year}
        if public:
            params["public"] = "on"
        return self.specialist.get("/stats/report/", params)

    def report_pdf(self):
        return self.report("pdf")

    def report_xlsx(self):
        return self.report("xlsx")

    def report_public_xlsx(self):
        return self.report("xlsx", public=True)


def reports_exist() -> bool:
    """Whether the reports (``stats:report``, the reports stream of issue 16) are there."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("stats:report")
    except NoReverseMatch:
        return False
    return True


def _check(name: str, response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{name}: HTTP {response.status_code}: {response.content[:300]!r}")
    if "report" in name and not response.content.startswith((b"%PDF", b"PK")):
        raise RuntimeError(f"{name}: 報告書ではない応答です: {response.content[:100]!r}")


def count_queries(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries.captured_queries)


def measure(repeat: int) -> dict:
    from django.db import connection

    from benchmarks.measure import log

    year, contacts = busiest_fiscal_year()
    measures = Measures(year)
    log(f"  {year}年度（対応記録 {contacts:,} 件）; 一つの所属: {measures.department.name}（{MANAGER}）")
    names = {
        "stats_dashboard_all_ms": measures.dashboard_all,
        "stats_dashboard_department_ms": measures.dashboard_department,
        "stats_dashboard_department_specialist_ms": measures.dashboard_department_specialist,
    }
    if measures.reports:
        names["stats_report_pdf_ms"] = measures.report_pdf
        names["stats_report_xlsx_ms"] = measures.report_xlsx
        names["stats_report_public_xlsx_ms"] = measures.report_public_xlsx
    else:
        log("  年次報告（stats:report）はまだありません: 報告書は計りません")
    timings: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(WARM_UP + repeat):
        for name, function in names.items():
            began = time.perf_counter()
            result = function()
            elapsed = (time.perf_counter() - began) * 1000
            _check(name, result)
            if round_ >= WARM_UP:
                timings[name].append(elapsed)
    values: dict = {name: (statistics.median(times), "ms") for name, times in timings.items()}
    for name, function in names.items():
        values[name.removesuffix("_ms") + "_queries"] = (count_queries(function), "queries")
    values["stats_year_contacts"] = (contacts, "contacts")
    log(f"  ({connection.vendor})")
    return values


def worker(database: str, contacts: int, repeat: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from benchmarks.measure import log, prepare

    log(f"== 統計 {database} / 対応記録 {contacts:,} 件 ==")
    prepare(contacts)
    print(json.dumps(measure(repeat)))


# ---------------------------------------------------------------- parent process


def run_one(database: str, contacts: int, args, pg_base: str | None) -> dict:
    from benchmarks.run import postgres_prepare

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", "DATABASE_URL": ""}
    if database == "sqlite":
        path = RESULTS / f"bench-{contacts}.db"
        if args.reseed:
            path.unlink(missing_ok=True)
        env["MAMORU_SQLITE_PATH"] = str(path)
    else:
        name = f"mamoru_bench_{contacts}"
        postgres_prepare(pg_base, name, args.reseed)
        env["DATABASE_URL"] = f"{pg_base}/{name}"
    command = [sys.executable, __file__, "--worker", database, str(contacts), "--repeat", str(args.repeat)]
    done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"統計 {database} {contacts:,}件の計測に失敗しました。")
    return json.loads(done.stdout.strip().splitlines()[-1])


def save(rows: list[dict]) -> None:
    path = RESULTS / "latest.json"
    existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    replaced = {(row["name"], row["database"], row["contacts"]) for row in rows}
    kept = [row for row in existing if (row.get("name"), row.get("database"), row.get("contacts")) not in replaced]
    path.write_text(json.dumps(kept + rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def report(rows: list[dict]) -> bool:
    """Print the rows and the targets; False when a target is missed."""
    met = True
    for row in rows:
        value = f"{row['value']:,.1f}" if row["unit"] == "ms" else f"{row['value']:,}"
        print(f"{row['database']:>10} {row['contacts']:>10,}  {row['name']:<46} {value:>12} {row['unit']}")
    values = {(r["name"], r["database"], r["contacts"]): r["value"] for r in rows}
    for (name, database, contacts), value in values.items():
        limits = dict(TARGETS)
        if database == "postgresql" and contacts >= 1_000_000 and name in limits:
            ok = value <= limits[name]
            met = met and ok
            print(f"  目標 {name} = {value:,.1f} ms ≤ {limits[name]:,.0f} ms … {'達成' if ok else '未達'}")
    return met


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.repeat)
        return
    sys.path.insert(0, str(ROOT))
    from benchmarks.run import postgres_base_url

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        raise SystemExit(f"未対応のデータベースです: {', '.join(sorted(unknown))}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    pg_base = postgres_base_url() if "postgresql" in databases else None
    rows = []
    for database in databases:
        for contacts in sizes:
            values = run_one(database, contacts, args, pg_base)
            rows += [
                {"name": name, "value": round(value, 2), "unit": unit, "database": database, "contacts": contacts}
                for name, (value, unit) in values.items()
            ]
    save(rows)
    met = report(rows)
    print(f"\n結果: {(RESULTS / 'latest.json').relative_to(ROOT)}（{dt.date.today().isoformat()}）")
    if not met:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
