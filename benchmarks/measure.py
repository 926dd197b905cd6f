"""One benchmark run against one database: seed it once, then time real
requests through Django's test client and the full middleware stack.

Run by ``run.py`` in a child process whose settings name the database
(``DATABASE_URL`` or ``MAMORU_SQLITE_PATH``); prints one JSON object.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from urllib.parse import urlencode

from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from accounts.models import Department, User
from demo.generator import seed_demo
from records.models import Contact

SEARCH_TERMS = ("土下座", "税金泥棒", "上を出せ", "スマートフォンで撮影")
WARM_UP = 3


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def residents_for(contacts: int) -> int:
    return max(300, contacts // 25)


def prepare(contacts: int) -> float | None:
    """Migrate and seed if needed. Returns contacts seeded per second, or
    None when the database was already seeded."""
    call_command("migrate", verbosity=0)
    if Department.objects.exists():
        found = Contact.objects.count()
        if found < contacts:
            raise SystemExit(
                f"途中まで作成されたデータベースです（{found:,}件）。--reseed を付けて作り直してください。"
            )
        log(f"  作成済みのデータを使います（対応記録 {found:,} 件）")
        return None
    log(f"  デモデータを作成しています（対応記録 {contacts:,} 件、住民等 {residents_for(contacts):,} 名）…")
    step = max(1, contacts // 10)

    def progress(done, total):
        if done % step < 2000 or done == total:
            log(f"    {done:,} / {total:,}")

    result = seed_demo(contacts=contacts, residents=residents_for(contacts), progress=progress)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum would do soon after a bulk load
            cursor.execute("VACUUM ANALYZE")
    rate = result.tally.contacts / result.tally.seconds
    log(f"  作成しました: {result.seconds:.0f} 秒（対応記録 毎秒 {rate:,.0f} 件）")
    return rate


class Requests:
    """The requests to time, each a function returning the response."""

    def __init__(self):
        self.staff = _client("staff1")
        self.specialist = _client("specialist1")
        self.shimin = Department.objects.get(code="shimin")
        self.staff_user = User.objects.get(username="staff1")
        last = timezone.localtime(Contact.objects.latest("started_at").started_at).date()
        self.list_filters = {
            "date_from": (last - dt.timedelta(days=90)).isoformat(),
            "date_to": last.isoformat(),
            "department": self.shimin.pk,
            "harassment": "yes",
        }
        top = Contact.objects.exclude(resident=None).values("resident").annotate(n=Count("id")).order_by("-n").first()
        self.resident_id, self.resident_contacts = top["resident"], top["n"]
        self.saved: list[int] = []
        self.searches = 0

    def bare_view(self):
        return self.staff.get("/bench/bare/")

    def contact_save(self):
        started = timezone.localtime() - dt.timedelta(hours=1)
        # Sent as a browser sends the form (no enctype: urlencoded), not the test
        # client's default multipart.
        response = self.staff.post(
            "/contacts/new/",
            urlencode(
                {
                    "channel": "phone",
                    "department": self.shimin.pk,
                    "staff": self.staff_user.pk,
                    "resident": self.resident_id,
                    "started_at": started.strftime("%Y-%m-%dT%H:%M"),
                    "ended_at": (started + dt.timedelta(minutes=12)).strftime("%Y-%m-%dT%H:%M"),
                    "place": "1番窓口",
                    "summary": f"住民票の写しの請求方法について（計測 {len(self.saved) + 1}）",
                    "request_content": "住民票の写しを郵送で請求したいので、必要な書類と手数料を教えてほしいとの電話。",
                    "words_and_behaviour": "「郵送だと何日くらいで届きますか」と質問された。落ち着いた口調だった。",
                    "staff_response": "郵送請求に必要なもの（請求書、本人確認書類の写し、定額小為替、返信用封筒）を説明した。",
                    "outcome": "郵送で請求するとのこと。",
                    "harassment": "no",
                }
            ),
            content_type="application/x-www-form-urlencoded",
        )
        if response.status_code == 302:
            self.saved.append(int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
        return response

    def contact_list(self):
        return self.specialist.get("/contacts/", self.list_filters)

    def search(self):
        self.searches += 1
        return self.specialist.get("/contacts/", {"q": SEARCH_TERMS[self.searches % len(SEARCH_TERMS)]})

    def resident_history(self):
        return self.specialist.get(f"/residents/{self.resident_id}/")

    def clean_up(self):
        """Remove the contacts the save benchmark made, so the size stays put."""
        Contact.objects.filter(pk__in=self.saved).delete()


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


METRICS = {
    "bare_view_ms": ("bare_view", 200),
    "contact_save_ms": ("contact_save", 302),
    "contact_list_ms": ("contact_list", 200),
    "search_ms": ("search", 200),
    "resident_history_ms": ("resident_history", 200),
}


def measure(repeat: int) -> dict[str, float]:
    """Median milliseconds per metric. The metrics take turns, so that a
    noisy neighbour on the machine slows them alike."""
    medians = _measure_requests(repeat)
    medians["repetition_recount_ms"] = _measure_recount(repeat)
    return medians


def _measure_recount(repeat: int) -> float:
    """The work a save leaves to the background: counting the repetition rules
    again for the benchmark's resident (the one with the most contacts, with
    every rule's flag open), after one contact is saved. Not a request; shown
    so that the cost moved out of ``contact_save_ms`` stays in sight."""
    from repetition.services import repetition_recount_pending

    requests = Requests()
    timings = []
    try:
        for round_ in range(WARM_UP + repeat):
            if requests.contact_save().status_code != 302:
                raise RuntimeError("repetition_recount_ms: 対応記録を保存できませんでした")
            began = time.perf_counter()
            counted = repetition_recount_pending(resident_id=requests.resident_id)
            elapsed = (time.perf_counter() - began) * 1000
            if counted != 1:
                raise RuntimeError("repetition_recount_ms: 再集計待ちがありません")
            if round_ >= WARM_UP:
                timings.append(elapsed)
    finally:
        requests.clean_up()
    return statistics.median(timings)


def _measure_requests(repeat: int) -> dict[str, float]:
    requests = Requests()
    log(f"  住民等の履歴: 対応記録 {requests.resident_contacts} 件の住民等（id {requests.resident_id}）")
    timings: dict[str, list[float]] = {name: [] for name in METRICS}
    try:
        for round_ in range(WARM_UP + repeat):
            for name, (method, expected) in METRICS.items():
                began = time.perf_counter()
                response = getattr(requests, method)()
                elapsed = (time.perf_counter() - began) * 1000
                if response.status_code != expected:
                    raise RuntimeError(f"{name}: HTTP {response.status_code}: {response.content[:300]!r}")
                if round_ >= WARM_UP:
                    timings[name].append(elapsed)
    finally:
        requests.clean_up()
    return {name: statistics.median(values) for name, values in timings.items()}
