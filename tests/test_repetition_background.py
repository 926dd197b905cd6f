"""The repetition recount in a real server process: contacts saved through a
daphne process (the API, as a phone-recording system would) are counted by
that process's background loop within seconds, with no request asking."""

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.utils import timezone

from mamoru.policy.loader import load_file
from tests import servers


def _api(cluster, key, path, payload):
    request = urllib.request.Request(
        cluster.url("a") + path,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _rows(database, sql, *params):
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, params).fetchall()


def test_a_server_process_counts_saved_contacts_in_the_background(tmp_path):
    pack = load_file(str(settings.MAMORU_POLICY_PACK))  # the servers' pack (the file; no revision in their database)
    rule = next(rule for rule in pack.repetition_rules if rule.kind == "contacts_in_days")
    cluster = servers.Cluster(
        tmp_path, extra_env={"MAMORU_BACKUP_ESCALATION_INTERVAL": "0", "MAMORU_REPETITION_RECOUNT_INTERVAL": "0.2"}
    )
    cluster.migrate()
    cluster.setup()
    key = subprocess.run(
        [sys.executable, "-m", "mamoru", "create-token", "staff1", "--name", "録音システム", "--scope", "write"],
        cwd=servers.ROOT,
        env=cluster.env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    [(department_id,)] = _rows(cluster.database, "SELECT id FROM accounts_department WHERE code = 'shimin'")
    cluster.start("a")
    try:
        resident = _api(cluster, key, "/api/residents", {"name": "大田原 一郎", "phones": ["0287-23-9999"]})
        now = timezone.now().replace(microsecond=0)
        for hours in range(rule.threshold):
            started = now - dt.timedelta(hours=2 + hours)
            _api(
                cluster,
                key,
                "/api/contacts",
                {
                    "department_id": department_id,
                    "channel": "phone",
                    "resident_id": resident["id"],
                    "started_at": started.isoformat(),
                    "ended_at": (started + dt.timedelta(minutes=5)).isoformat(),
                    "summary": "手続きの問い合わせ",
                    "harassment": "no",
                },
            )
        flag = "SELECT status FROM repetition_repetitionflag WHERE resident_id = ? AND rule_code = ?"
        deadline = time.monotonic() + 15
        while not _rows(cluster.database, flag, resident["id"], rule.code) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _rows(cluster.database, flag, resident["id"], rule.code) == [("open",)]
        assert _rows(cluster.database, "SELECT resident_id FROM repetition_recountrequest") == []
    finally:
        cluster.stop()
