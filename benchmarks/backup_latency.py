"""Backup-call latency: from the 応援要請 request to the alert arriving at N
connected supervisor clients.

    .venv/bin/python benchmarks/backup_latency.py [--clients 10,200] [--modes single,redis] [--calls 20]

Real server processes (``daphne mamoru.asgi:application``) on loopback with a
SQLite file database migrated for the run (tests/servers.py):

- ``single``: one process, the in-memory channel layer (what `make run` serves);
- ``redis``: two processes sharing a Redis channel layer (scripts/redis.sh starts
  Redis on 127.0.0.1:56379); half the clients connect to each process and the
  calls are made through the first.

The clients are real WebSocket clients (the ``websockets`` library), each
signed in as its own 上司 of the caller's department; the calls start once every
client has its first message (the pending list a connecting page is sent), as
pages that are open. For each call the clock starts just before the HTTP POST of
応援要請 is sent (the caller's page is open: its CSRF token was read once
before) and stops, per client, when that client has the alert; the figures are
over every (call, client) pair. The results are merged into benchmarks/results/latest.json as
``backup_alert_p50_ms``, ``backup_alert_p95_ms``, ``backup_alert_max_ms``
with ``clients`` and ``mode`` (earlier backup figures are replaced, the rest kept).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import servers  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
METRICS = ("backup_alert_p50_ms", "backup_alert_p95_ms", "backup_alert_max_ms")
TARGET_P95_MS = 300.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def measure(cluster: servers.Cluster, names: list[str], clients: int, calls: int) -> list[float]:
    from websockets.asyncio.client import connect

    supervisors = [f"bench-supervisor{i}" for i in range(clients)]
    contacts = cluster.data["contacts"]
    arrivals: dict[int, list[float]] = {}
    started: dict[int, float] = {}
    ready = asyncio.Event()
    connected = 0

    async def client(index: int, username: str):
        nonlocal connected
        name = names[index % len(names)]
        async with connect(
            cluster.ws_url(name), additional_headers=cluster.ws_headers(name, username), max_queue=None
        ) as ws:
            async for raw in ws:
                now = time.perf_counter()
                event = json.loads(raw)
                if event.get("kind") == "backup_call.synced":
                    connected += 1
                    if connected == clients:
                        ready.set()
                elif event.get("kind") == "backup_call.created":
                    arrivals.setdefault(event["call"]["contact_id"], []).append(now)

    tasks = [asyncio.create_task(client(i, username)) for i, username in enumerate(supervisors)]
    await asyncio.wait_for(ready.wait(), 60)
    await asyncio.sleep(0.5)
    token = await asyncio.to_thread(cluster.csrf_token, names[0], "staff1")
    for contact in contacts[:calls]:
        started[contact] = time.perf_counter()
        status, _ = await asyncio.to_thread(
            cluster.post, names[0], "staff1", f"/backup-calls/contacts/{contact}/call/", token=token
        )
        if status != 201:
            raise RuntimeError(f"応援要請に失敗しました（HTTP {status}）")
        deadline = time.perf_counter() + 10
        while len(arrivals.get(contact, [])) < clients and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        if len(arrivals.get(contact, [])) < clients:
            raise RuntimeError(f"{clients} 件中 {len(arrivals.get(contact, []))} 件しか届きませんでした")
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return [(t - started[contact]) * 1000 for contact, times in arrivals.items() for t in times]


def run_one(mode: str, clients: int, calls: int) -> list[float]:
    redis_url = ""
    if mode == "redis":
        url = subprocess.run(
            [str(ROOT / "scripts" / "redis.sh"), "start"], check=True, capture_output=True, text=True
        ).stdout.strip()
        redis_url = url.rsplit("/", 1)[0] + "/2"
    with tempfile.TemporaryDirectory(prefix="mamoru-bench-backup-") as folder:
        cluster = servers.Cluster(
            Path(folder), redis_url=redis_url, extra_env={"MAMORU_BACKUP_ESCALATION_INTERVAL": "0"}
        )
        cluster.migrate()
        cluster.setup(contacts=calls, supervisors=clients)
        names = ["a", "b"] if mode == "redis" else ["a"]
        try:
            for name in names:
                cluster.start(name)
            return asyncio.run(measure(cluster, names, clients, calls))
        finally:
            cluster.stop()


def merge(rows: list[dict]) -> None:
    existing = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else []
    kept = [row for row in existing if row.get("name") not in METRICS]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(kept + rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description="応援要請の通知遅延のベンチマーク")
    parser.add_argument("--clients", default="10,200", help="接続する上司のクライアント数（カンマ区切り）")
    parser.add_argument("--modes", default="single,redis", help="single, redis（カンマ区切り）")
    parser.add_argument("--calls", type=int, default=20, help="計測する応援要請の回数")
    args = parser.parse_args(argv)
    rows = []
    print(f"{'mode':<8}{'clients':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for mode in args.modes.split(","):
        for clients in (int(n) for n in args.clients.split(",")):
            latencies = run_one(mode, clients, args.calls)
            figures = {
                "backup_alert_p50_ms": statistics.median(latencies),
                "backup_alert_p95_ms": percentile(latencies, 0.95),
                "backup_alert_max_ms": max(latencies),
            }
            print(f"{mode:<8}{clients:>8}" + "".join(f"{figures[m]:>10.1f}" for m in METRICS))
            for name in METRICS:
                rows.append(
                    {
                        "name": name,
                        "value": round(figures[name], 2),
                        "unit": "ms",
                        "database": "sqlite",
                        "contacts": args.calls,
                        "clients": clients,
                        "mode": mode,
                    }
                )
    merge(rows)
    worst = max((r["value"] for r in rows if r["name"] == "backup_alert_p95_ms" and r["clients"] >= 200), default=None)
    if worst is not None:
        verdict = "達成" if worst <= TARGET_P95_MS else "未達"
        print(f"\n目標 p95 ≤ {TARGET_P95_MS:.0f} ms（200クライアント）: {verdict}（最大 {worst:.1f} ms）")
    print(f"結果: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
