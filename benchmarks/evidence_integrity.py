"""Time the evidence integrity check and the time-stamp request (timestamps stream).

    .venv/bin/python benchmarks/evidence_integrity.py [--megabytes 200] [--tokens 20]

- ``evidence-verify``'s re-read: a file of ``--megabytes`` MB in local evidence storage
  (a temporary folder) read back in chunks and hashed again; MB/s and the growth of the
  process's peak memory (it must not hold the file: target under 100 MB extra).
- A token from a real TSA on loopback (``openssl ts -reply`` behind an HTTP handler,
  tests/tsa_server.py): ``--tokens`` requests, each built, sent, parsed and verified
  against the CA; median and 95th percentile in ms (the time an upload waits for its token
  on top of the TSA's own time).

Results are appended to benchmarks/results/latest.json as {name, value, unit, database, contacts}."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description="証拠の完全性確認とタイムスタンプ取得のベンチマーク")
    parser.add_argument("--megabytes", type=int, default=200, help="読み直すファイルの大きさ（MB）")
    parser.add_argument("--tokens", type=int, default=20, help="タイムスタンプを要求する回数")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mamoru-integrity-"))
    os.environ["MAMORU_EVIDENCE_ROOT"] = str(folder / "evidence")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from evidence import storage, timestamps
    from evidence.timestamp_services import _rehash
    from tests.tsa_server import TimeStampAuthority

    # A file written in 1 MB pieces, never whole in memory.
    digest, source = hashlib.sha256(), folder / "recording.bin"
    with open(source, "wb") as out:
        for index in range(args.megabytes):
            piece = hashlib.sha256(index.to_bytes(4, "big")).digest() * 32768
            digest.update(piece)
            out.write(piece)
    sha256 = digest.hexdigest()
    name = storage.storage_name(sha256)
    target = Path(settings.MAMORU_EVIDENCE_ROOT) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    source.rename(target)

    before = peak_mb()
    started = time.perf_counter()
    assert _rehash(name) == sha256
    seconds = time.perf_counter() - started
    extra = peak_mb() - before
    rate = args.megabytes / seconds

    authority = TimeStampAuthority(folder / "tsa").start()
    settings.MAMORU_TSA_URL = authority.url
    settings.MAMORU_TSA_CA_FILE = str(authority.folder / "ca.pem")
    times = []
    try:
        for _ in range(args.tokens):
            started = time.perf_counter()
            timestamps.request_token(sha256=sha256)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        authority.stop()
    times.sort()
    median, p95 = statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]

    print(
        f"完全性確認の読み直し: {args.megabytes} MB を {seconds:.2f} 秒（{rate:.0f} MB/s）、最大メモリの増加 {extra:.1f} MB"
    )
    print(f"タイムスタンプ取得（ループバックの openssl TSA、検証込み）: 中央値 {median:.1f} ms、95% {p95:.1f} ms")
    rows = [
        {"name": "evidence_verify_rehash", "value": round(rate, 1), "unit": "MB/s", "database": "-", "contacts": args.megabytes},
        {"name": "evidence_verify_peak_extra", "value": round(extra, 1), "unit": "MB", "database": "-", "contacts": args.megabytes},
        {"name": "evidence_timestamp_median", "value": round(median, 1), "unit": "ms", "database": "-", "contacts": args.tokens},
        {"name": "evidence_timestamp_p95", "value": round(p95, 1), "unit": "ms", "database": "-", "contacts": args.tokens},
    ]  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "latest.json"
    existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    names = {row["name"] for row in rows}
    kept = [row for row in existing if row.get("name") not in names]
    path.write_text(json.dumps(kept + rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    if extra > 100:
        sys.exit(f"最大メモリの増加が 100 MB を超えました（{extra:.1f} MB）。")


if __name__ == "__main__":
    main()
