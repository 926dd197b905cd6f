"""Time the contacts' search with transcripts (反訳書) in it.

    .venv/bin/python benchmarks/transcript_search.py [--contacts 100000] [--transcripts 5000] [--repeat 30] [--reseed]
    DATABASE_URL=postgres://mamoru@127.0.0.1:55432/NAME .venv/bin/python benchmarks/transcript_search.py

On SQLite (benchmarks/results/transcripts-N.db, git-ignored like the other benchmark
databases), or on the PostgreSQL database DATABASE_URL names (it must exist). Contacts,
recordings and transcripts (about 40 rows of invented dialogue each) are bulk-inserted once
and reused. Each measure runs ``records.selectors.contact_list`` for the specialist section
with a search word — the first page of 50 and the count, as the list shows them — with the
transcripts' hook connected and, for comparison, disconnected; the medians are printed and
appended to benchmarks/results/latest.json as {name, value, unit, database, contacts}.
Target: the hook adds under 100 ms to a search at 100,000 contacts and 5,000 transcripts on
SQLite, which scans the transcripts as it scans the contacts (PostgreSQL reads both through
their trigram indexes)."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
TARGET_EXTRA_MS = 100.0
WORDS = ("土下座", "責任者を出せ", "税金泥棒", "録音しているぞ", "上を出せ")
LINES = (
    "本日はどのようなご用件でしょうか。",
    "住民票の写しを取りに来た。",
    "少々お待ちください。",
    "いつまで待たせるんだ。",
    "申し訳ございません。",
    "担当の者に確認いたします。",
    "名前を教えろ。",
    "規則でお答えできません。",
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="反訳書を含む対応記録の検索のベンチマーク")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--transcripts", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--worker", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def seed(contacts: int, transcripts: int, reseed: bool) -> None:
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Department, User
    from evidence.models import Evidence, StoredFile, Transcript
    from records.models import Contact

    if not reseed and Contact.objects.count() == contacts and Transcript.objects.count() == transcripts:
        return
    rng = random.Random(14)
    with transaction.atomic():
        Transcript.objects.all().delete()
        Evidence.objects.all().delete()
        StoredFile.objects.all().delete()
        Contact.objects.all().delete()
        department, _ = Department.objects.get_or_create(code="shimin", defaults={"name": "市民課", "sort_order": 1})
        staff, _ = User.objects.get_or_create(
            username="bench-staff", defaults={"role": "staff", "department": department}
        )
        now = timezone.now()
        batch = []
        for index in range(contacts):
            started = now - dt.timedelta(minutes=index * 7)
            batch.append(
                Contact(
                    department=department,
                    channel="counter",
                    staff=staff,
                    started_at=started,
                    ended_at=started + dt.timedelta(minutes=10),
                    summary=f"窓口での相談 {index}",
                    search_text=f"窓口での相談 {index}",
                    created_by=staff,
                )
            )
            if len(batch) == 5000:
                Contact.objects.bulk_create(batch)
                batch = []
        Contact.objects.bulk_create(batch)
        contact_ids = list(Contact.objects.values_list("pk", flat=True))
        chosen = rng.sample(contact_ids, transcripts)
        files = [
            StoredFile(
                sha256=hashlib.sha256(str(i).encode()).hexdigest(),
                size=1000,
                content_type="audio/wav",
                extension="wav",
                storage_name=f"bench/{i}",
            )
            for i in range(transcripts)
        ]
        StoredFile.objects.bulk_create(files, batch_size=5000)
        files = list(StoredFile.objects.order_by("pk"))
        evidence = [
            Evidence(
                stored_file=stored,
                contact_id=contact_id,
                department=department,
                kind="recording",
                original_name=f"{contact_id}.wav",
                uploaded_by=staff,
            )
            for stored, contact_id in zip(files, chosen, strict=True)
        ]
        Evidence.objects.bulk_create(evidence, batch_size=5000)
        rows = []
        for item in Evidence.objects.order_by("pk"):
            words = [rng.choice(LINES) for _ in range(40)]
            if rng.random() < 0.01:
                words.append(rng.choice(WORDS))
            rows.append(Transcript(evidence=item, version=1, search_text=" ".join(words), created_by=staff))
        Transcript.objects.bulk_create(rows, batch_size=5000)


def measure(repeat: int) -> dict[str, float]:
    from accounts.models import Department, User
    from evidence.transcript_search import contact_search_transcripts
    from records.hooks import contact_search_extra
    from records.selectors import ContactFilter, contact_list

    specialist, _ = User.objects.get_or_create(
        username="bench-specialist",
        defaults={"role": "specialist", "department": Department.objects.get(code="shimin")},
    )

    def search(word):
        contacts = contact_list(user=specialist, filters=ContactFilter(query=word))
        list(contacts.order_by("-started_at")[:50])
        return contacts.count()

    timings: dict[str, list[float]] = {"with_transcripts": [], "without_transcripts": []}
    for round_number in range(repeat + 3):
        for name in timings:
            if name == "without_transcripts":
                contact_search_extra.disconnect(contact_search_transcripts)
            word = WORDS[round_number % len(WORDS)]
            started = time.perf_counter()
            search(word)
            elapsed = (time.perf_counter() - started) * 1000
            contact_search_extra.connect(contact_search_transcripts)
            if round_number >= 3:
                timings[name].append(elapsed)
    return {name: statistics.median(values) for name, values in timings.items()}


def worker(database: str, contacts: int, transcripts: int, repeat: int, reseed: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    seed(contacts, transcripts, reseed)
    seconds = time.perf_counter() - started
    medians = measure(repeat)
    print(json.dumps({"database": database, "medians": medians, "seed_s": round(seconds, 1)}))


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args.worker, args.contacts, args.transcripts, args.repeat, args.reseed)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])
    rows = []
    for database in databases:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mamoru.settings", "MAMORU_DEBUG": "0"}
        if database == "sqlite":
            env["DATABASE_URL"] = ""
            env["MAMORU_SQLITE_PATH"] = str(RESULTS / f"transcripts-{args.contacts}.db")
        command = [sys.executable, __file__, "--worker", database, "--contacts", str(args.contacts)]
        command += ["--transcripts", str(args.transcripts), "--repeat", str(args.repeat)]
        command += ["--reseed"] if args.reseed else []
        output = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        medians = result["medians"]
        extra = medians["with_transcripts"] - medians["without_transcripts"]
        verdict = "OK" if extra < TARGET_EXTRA_MS else "SLOW"
        print(
            f"{database}: {args.contacts:,} contacts, {args.transcripts:,} transcripts — search "
            f"{medians['with_transcripts']:.1f} ms with transcripts, {medians['without_transcripts']:.1f} ms without "
            f"(+{extra:.1f} ms, target < {TARGET_EXTRA_MS:.0f}) {verdict}"
        )
        for name, value in (
            ("transcript_search_ms", medians["with_transcripts"]),
            ("transcript_search_extra_ms", extra),
        ):
            rows.append(
                {"name": name, "value": round(value, 2), "unit": "ms", "database": database, "contacts": args.contacts}
            )
    latest = RESULTS / "latest.json"
    existing = json.loads(latest.read_text()) if latest.exists() else []
    names = {row["name"] for row in rows}
    kept = [row for row in existing if row.get("name") not in names] if isinstance(existing, list) else []
    latest.write_text(json.dumps(kept + rows, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
