"""Evidence export: a case with 50 files of 1 GB in all, exported as one ZIP streamed
to /dev/null; the figure is the exporting process's peak memory (RSS).

    .venv/bin/python benchmarks/evidence_export.py [--files 50] [--total-mb 1024] [--keep]

Everything happens in a temporary folder: a SQLite database migrated for the run and
the evidence storage (local files). A first child process makes the department, a
supervisor, a contact and its case, writes the files (WAV recordings: a real header,
64 KiB of random bytes so that every file differs, the rest a sparse hole) and adds
them as evidence through ``evidence_add`` (hashed as they stream, stored by SHA-256).
A second, fresh child process exports the case through ``evidence_export`` — the same
service the page and ``evidence-export`` call — writing each chunk to /dev/null, and
reads its own VmRSS before and VmHWM (peak RSS) after from /proc/self/status.

The export streams when the peak stays far below the size of one file; the target is
under 100 MB above the process's memory before the export (``TARGET_EXTRA_MB``). The
figures are merged into benchmarks/results/latest.json as ``evidence_export_rss_peak_mb``,
``evidence_export_rss_extra_mb``, ``evidence_export_seconds`` and ``evidence_export_mb_per_s``."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
TARGET_EXTRA_MB = 100.0
UNITS = {"rss_peak_mb": "MB", "rss_extra_mb": "MB", "seconds": "s", "mb_per_s": "MB/s"}


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def _django(folder: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["MAMORU_SQLITE_PATH"] = str(folder / "bench.db")
    os.environ["MAMORU_EVIDENCE_ROOT"] = str(folder / "store")
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _wav_header(size: int) -> bytes:
    data = size - 44
    return (
        b"RIFF"
        + (size - 8).to_bytes(4, "little")
        + b"WAVEfmt "
        + (16).to_bytes(4, "little")
        + (1).to_bytes(2, "little")  # PCM
        + (1).to_bytes(2, "little")  # mono
        + (8000).to_bytes(4, "little")
        + (16000).to_bytes(4, "little")
        + (2).to_bytes(2, "little")
        + (16).to_bytes(2, "little")
        + b"data"
        + data.to_bytes(4, "little")
    )


def prepare(folder: Path, files: int, total_mb: int) -> dict:
    """Child 1: the database, the case and its evidence."""
    _django(folder)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import Department
    from accounts.services import user_create
    from cases.services import case_open_or_join
    from evidence.incoming import incoming_from_path
    from evidence.services import evidence_add
    from tests.factories import make_contact

    department = Department.objects.create(code="shimin", name="市民課", sort_order=1)
    staff = user_create(actor=None, username="bench-staff", password="", role="staff", department=department)
    supervisor = user_create(
        actor=None, username="bench-supervisor", password="", role="supervisor", department=department
    )
    contact = make_contact(staff, harassment="yes", categories=["verbal_abuse"])
    case = case_open_or_join(actor=staff, contact=contact, reason="report")
    source = folder / "source"
    source.mkdir()
    size = total_mb * 1024 * 1024 // files
    started = time.perf_counter()
    for number in range(files):
        path = source / f"通話録音_{number:03d}.wav"
        with open(path, "wb") as handle:
            handle.write(_wav_header(size))
            handle.write(os.urandom(64 * 1024))  # every file differs (stored by content)
            handle.truncate(size)  # the rest a sparse hole: no gigabyte to write twice
        evidence_add(actor=staff, incoming=incoming_from_path(path), contact=contact)
        path.unlink()
    return {
        "case": case.pk,
        "user": supervisor.username,
        "files": files,
        "bytes": size * files,
        "prepare_s": round(time.perf_counter() - started, 1),
    }


def export(folder: Path, case_pk: int, username: str) -> dict:
    """Child 2 (fresh): export the case to /dev/null; the process's memory before and at its peak."""
    _django(folder)
    from accounts.models import User
    from cases.models import Case
    from evidence.services import evidence_export

    actor = User.objects.get(username=username)
    case = Case.objects.get(pk=case_pk)
    before_kb = _status_kb("VmRSS")
    started = time.perf_counter()
    archive = evidence_export(actor=actor, case=case, purpose="ベンチマーク", recipient="/dev/null")
    written = 0
    largest = 0
    with open(os.devnull, "wb") as sink:
        for chunk in archive:
            sink.write(chunk)
            written += len(chunk)
            largest = max(largest, len(chunk))
    seconds = time.perf_counter() - started
    peak_kb = _status_kb("VmHWM")
    assert written == len(archive), (written, len(archive))
    return {
        "zip_bytes": written,
        "seconds": round(seconds, 2),
        "mb_per_s": round(written / 1024 / 1024 / seconds, 1),
        "rss_before_mb": round(before_kb / 1024, 1),
        "rss_peak_mb": round(peak_kb / 1024, 1),
        "rss_extra_mb": round((peak_kb - before_kb) / 1024, 1),
        "largest_chunk_kb": round(largest / 1024, 1),
    }


def _child(args: list[str]) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False, cwd=ROOT, timeout=3600
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"benchmark child failed: {args[0]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--total-mb", type=int, default=1024)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    parser.add_argument("--child", choices=("prepare", "export"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--case", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child == "prepare":
        print(json.dumps(prepare(Path(options.folder), options.files, options.total_mb)))
        return 0
    if options.child == "export":
        print(json.dumps(export(Path(options.folder), options.case, options.user)))
        return 0

    folder = Path(tempfile.mkdtemp(prefix="mamoru-bench-export-"))
    try:
        prepared = _child(
            [
                "--child",
                "prepare",
                "--folder",
                str(folder),
                "--files",
                str(options.files),
                "--total-mb",
                str(options.total_mb),
            ]
        )
        exported = _child(
            ["--child", "export", "--folder", str(folder), "--case", str(prepared["case"]), "--user", prepared["user"]]
        )
    finally:
        if options.keep:
            print(f"folder kept: {folder}")
        else:
            subprocess.run(["rm", "-rf", str(folder)], check=False)
    figures = {**prepared, **exported}
    print(
        f"evidence export: {figures['files']} files, {figures['bytes'] / 1024 / 1024:,.0f} MB -> ZIP "
        f"{figures['zip_bytes'] / 1024 / 1024:,.0f} MB in {figures['seconds']} s ({figures['mb_per_s']} MB/s); "
        f"peak RSS {figures['rss_peak_mb']} MB ({figures['rss_extra_mb']} MB above the "
        f"{figures['rss_before_mb']} MB before the export; target < {TARGET_EXTRA_MB:.0f} MB)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results = [entry for entry in results if not str(entry.get("name", "")).startswith("evidence_export_")]
    about = {"files": figures["files"], "total_mb": round(figures["bytes"] / 1024 / 1024)}
    for name, unit in UNITS.items():
        results.append({"name": f"evidence_export_{name}", "value": figures[name], "unit": unit, **about})
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return 0 if figures["rss_extra_mb"] < TARGET_EXTRA_MB else 1


if __name__ == "__main__":
    sys.exit(main())
