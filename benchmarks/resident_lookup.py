"""Time ``people.matching.resident_candidates`` with 100,000 residents.

    .venv/bin/python benchmarks/resident_lookup.py [--residents 100000] [--probes 300] [--reseed]
    DATABASE_URL=postgres://mamoru@127.0.0.1:55432/NAME .venv/bin/python benchmarks/resident_lookup.py

Always on SQLite (benchmarks/results/residents-N.db, git-ignored like the
other benchmark databases); also on PostgreSQL when DATABASE_URL is given
(the database must exist; it is migrated and filled once, then reused).
Residents are made with the demo's invented names, addresses and phones
(variant kanji, kana in katakana or hiragana, phones in every format), with
the same keys the services store, in batches with ``bulk_create``.

Each probe is an existing resident written another way (variant kanji folded
or added, kana instead of kanji, the phone in another format, the address
in another form) or a person who is not there; the median and the 95th
percentile of the lookup times are printed and appended to
benchmarks/results/latest.json as {name, value, unit, database, contacts};
for these rows ``contacts`` holds the number of residents. Target: under
20 ms at 100,000 residents.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TARGET_MS = 20.0
BATCH = 5000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="名寄せの候補検索（resident_candidates）のベンチマーク")
    parser.add_argument("--residents", type=int, default=100_000, help="住民等の件数")
    parser.add_argument("--probes", type=int, default=300, help="計測する検索の回数")
    parser.add_argument("--reseed", action="store_true", help="作成済みの住民等を消して作り直す")
    parser.add_argument("--worker", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def seed(count: int, reseed: bool) -> float | None:
    """Fill the database with ``count`` residents; residents per second, or
    None when they were there already."""
    from django.db import connection, transaction

    from demo import names
    from mamoru.lib.japanese import phone_digits
    from people.matching import resident_match_keys
    from people.models import Resident, ResidentPhone

    if reseed:
        ResidentPhone.objects.all().delete()
        Resident.objects.all().delete()
    if Resident.objects.count() == count:
        return None
    ResidentPhone.objects.all().delete()
    Resident.objects.all().delete()
    rng = random.Random(7)
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        batch = []
        for _ in range(start, min(count, start + BATCH)):
            name, kana = names.resident_name(rng, variant_share=0.08)
            kana = kana if rng.random() < 0.9 else ""
            address = names.address(rng) if rng.random() < 0.9 else ""
            phones = [names.phone(rng) for _ in range(rng.choices([0, 1, 2], weights=[1, 7, 2])[0])]
            resident = Resident(
                name=name, name_kana=kana, address=address, **resident_match_keys(name=name, kana=kana, address=address)
            )
            batch.append((resident, phones))
        with transaction.atomic():
            Resident.objects.bulk_create([resident for resident, _ in batch], batch_size=1000)
            ResidentPhone.objects.bulk_create(
                [ResidentPhone(resident=r, number=n, digits=phone_digits(n)) for r, numbers in batch for n in numbers],
                batch_size=2000,
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE people_resident; ANALYZE people_residentphone")
    return count / (time.perf_counter() - started)


def probes(count: int) -> list:
    """Residents written another way, and people who are not there."""
    from demo import names
    from mamoru.lib.variants import VARIANTS
    from people.matching import PersonFields
    from people.models import Resident

    rng = random.Random(11)
    back = {common: variant for variant, common in VARIANTS.items()}
    top = Resident.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    found = []
    while len(found) < count:
        if rng.random() < 0.2:
            name, kana = names.resident_name(rng, variant_share=0.2)
            found.append(PersonFields(name=name[::-1], kana="", phone=names.phone(rng)))
            continue
        resident = (
            Resident.objects.prefetch_related("phones").filter(pk__gte=rng.randint(1, top)).order_by("pk").first()
        )
        if resident is None:
            continue
        fields = PersonFields.of_resident(resident)
        style = rng.randrange(4)
        if style == 0:
            fields = PersonFields(
                name="".join(back.get(c, c) for c in fields.name), phone=fields.phone.replace("-", "")
            )
        elif style == 1 and fields.kana:
            fields = PersonFields(name=fields.kana, phone=fields.phone)
        elif style == 2:
            fields = PersonFields(name=fields.name.replace(" ", ""), address=fields.address)
        found.append(fields)
    return found


def worker(database: str, residents: int, count: int, reseed: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from people.matching import resident_candidates

    call_command("migrate", verbosity=0, interactive=False)
    rate = seed(residents, reseed)
    sample = probes(count)
    for fields in sample[:20]:  # warm the caches and the connection
        resident_candidates(fields)
    times, hits = [], 0
    for fields in sample:
        started = time.perf_counter()
        found = resident_candidates(fields)
        times.append((time.perf_counter() - started) * 1000)
        hits += bool(found)
    times.sort()
    result = {
        "resident_lookup_ms": statistics.median(times),
        "resident_lookup_p95_ms": times[int(len(times) * 0.95) - 1],
        "resident_lookup_max_ms": times[-1],
        "found_share": hits / len(sample),
    }
    if rate:
        result["seed_residents_per_s"] = rate
    print(json.dumps(result))


def run(database: str, args) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", "PYTHONPATH": str(ROOT)}
    if database == "sqlite":
        env["DATABASE_URL"] = ""
        env["MAMORU_SQLITE_PATH"] = str(RESULTS / f"residents-{args.residents}.db")
    command = [
        sys.executable,
        __file__,
        "--worker",
        database,
        "--residents",
        str(args.residents),
        "--probes",
        str(args.probes),
    ]
    if args.reseed:
        command.append("--reseed")
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{database} の計測に失敗しました。")
    return json.loads(done.stdout.strip().splitlines()[-1])


def save(rows: list[dict]) -> None:
    path = RESULTS / "latest.json"
    existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    replaced = {(row["name"], row["database"], row["contacts"]) for row in rows}
    kept = [row for row in existing if (row.get("name"), row.get("database"), row.get("contacts")) not in replaced]
    path.write_text(json.dumps(kept + rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args.worker, args.residents, args.probes, args.reseed)
        return
    sys.path.insert(0, str(ROOT))
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])
    rows = []
    print(f"名寄せの候補検索: 住民等 {args.residents:,} 件、検索 {args.probes} 回")
    for database in databases:
        result = run(database, args)
        for name in ("resident_lookup_ms", "resident_lookup_p95_ms", "seed_residents_per_s"):
            if name in result:
                unit = "residents/s" if name.endswith("_per_s") else "ms"
                rows.append(
                    {
                        "name": name,
                        "value": round(result[name], 2),
                        "unit": unit,
                        "database": database,
                        "contacts": args.residents,
                    }
                )
        verdict = (
            "目標達成"
            if result["resident_lookup_ms"] < TARGET_MS and result["resident_lookup_p95_ms"] < TARGET_MS
            else "目標未達"
        )
        print(
            f"  {database:<10} 中央値 {result['resident_lookup_ms']:.2f} ms  p95 {result['resident_lookup_p95_ms']:.2f} ms  "
            f"最大 {result['resident_lookup_max_ms']:.2f} ms  候補あり {result['found_share']:.0%}  "
            f"（目標 {TARGET_MS:.0f} ms 未満: {verdict}）"
        )
    save(rows)
    print(f"結果: {(RESULTS / 'latest.json').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
