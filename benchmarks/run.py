"""``make bench``: time the pages staff use most with 100,000 and 1,000,000
demo contacts, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/run.py [--sizes 100000,1000000]
        [--databases sqlite,postgresql] [--repeat 50] [--reseed]

Each database is seeded once with ``seed_demo`` and reused by later runs:
SQLite files under benchmarks/results/ (git-ignored), PostgreSQL databases
``mamoru_bench_<size>`` on the server of ``scripts/postgres.sh start`` (or the
one in MAMORU_BENCH_DATABASE_URL). Prints a table and writes
benchmarks/results/latest.json: a list of {name, value, unit, database, contacts}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
METRICS = (
    "bare_view_ms",
    "contact_save_ms",
    "contact_list_ms",
    "search_ms",
    "resident_history_ms",
    "repetition_recount_ms",
)
# Targets at 1,000,000 contacts on PostgreSQL: (metric, limit in ms, or a factor of the bare view).
TARGETS = (("resident_history_ms", 20.0, None), ("search_ms", 200.0, None), ("contact_save_ms", None, 3.0))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="mamoru のベンチマーク")
    parser.add_argument("--sizes", default="100000,1000000", help="対応記録の件数（カンマ区切り）")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql（カンマ区切り）")
    parser.add_argument("--repeat", type=int, default=50, help="1項目あたりの計測回数（中央値をとる）")
    parser.add_argument("--reseed", action="store_true", help="作成済みのデータベースを作り直す")
    parser.add_argument("--worker", nargs=2, metavar=("DATABASE", "CONTACTS"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def postgres_base_url() -> str:
    """The server's URL without a database name: MAMORU_BENCH_DATABASE_URL, or
    the test server on this machine, started with scripts/postgres.sh if it
    is not running yet."""
    import psycopg

    url = os.environ.get("MAMORU_BENCH_DATABASE_URL")
    if url:
        return url.rstrip("/")
    base = f"postgres://mamoru@127.0.0.1:{os.environ.get('MAMORU_PG_PORT', '55432')}"
    try:
        psycopg.connect(f"{base}/postgres", connect_timeout=3).close()
        return base
    except psycopg.OperationalError:
        started = subprocess.run(
            [str(ROOT / "scripts" / "postgres.sh"), "start"], capture_output=True, text=True, check=True
        )
        return started.stdout.strip().splitlines()[-1].rsplit("/", 1)[0]


def postgres_prepare(base: str, name: str, reseed: bool) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or reseed:
            conn.execute(f'CREATE DATABASE "{name}"')


def run_one(database: str, contacts: int, args, pg_base: str | None) -> dict:
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
        raise SystemExit(f"{database} {contacts:,}件の計測に失敗しました。")
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker(database: str, contacts: int, repeat: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from benchmarks.measure import log, measure, prepare

    log(f"== {database} / 対応記録 {contacts:,} 件 ==")
    rate = prepare(contacts)
    medians = measure(repeat)
    if rate is not None:
        medians["seed_contacts_per_s"] = rate
    print(json.dumps(medians))


def rows_for(database: str, contacts: int, medians: dict) -> list[dict]:
    return [
        {
            "name": name,
            "value": round(value, 2),
            "unit": "contacts/s" if name == "seed_contacts_per_s" else "ms",
            "database": database,
            "contacts": contacts,
        }
        for name, value in medians.items()
    ]


def print_table(rows: list[dict]) -> None:
    columns = sorted({(r["database"], r["contacts"]) for r in rows}, key=lambda c: (c[0] != "sqlite", c[1]))
    names = [*METRICS, "seed_contacts_per_s"]
    values = {(r["name"], r["database"], r["contacts"]): r["value"] for r in rows}
    headers = [f"{db} {n:,}" for db, n in columns]
    width = max(len(h) for h in headers) + 2
    print("\n" + "".ljust(22) + "".join(h.rjust(width) for h in headers))
    for name in names:
        cells = [values.get((name, *column)) for column in columns]
        if any(cell is not None for cell in cells):
            print(name.ljust(22) + "".join(("-" if c is None else f"{c:,.1f}").rjust(width) for c in cells))
    for database, contacts in columns:
        if database == "postgresql" and contacts >= 1_000_000:
            print(f"\n目標（PostgreSQL、{contacts:,}件）:")
            for metric, limit, factor in TARGETS:
                value = values[(metric, database, contacts)]
                bound = limit if limit is not None else factor * values[("bare_view_ms", database, contacts)]
                print(f"  {metric} = {value:,.1f} ms ≤ {bound:,.1f} ms … {'達成' if value <= bound else '未達'}")


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.repeat)
        return
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
            rows += rows_for(database, contacts, run_one(database, contacts, args, pg_base))
    (RESULTS / "latest.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_table(rows)
    print(f"\n結果: {(RESULTS / 'latest.json').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
