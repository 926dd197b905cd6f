"""``python -m mamoru evidence-worker``: the background worker that analyses recordings.

It takes jobs from the queue in PostgreSQL (procrastinate) and runs them one at a time
(``--concurrency`` for more). Run one or several, on this machine or others (systemd:
deploy/). A worker sends a heartbeat; one that stops sending it (killed, machine lost)
for ``MAMORU_WORKER_STALLED_SECONDS`` is taken as dead, and any running worker puts the
jobs it held back in the queue: no job is lost."""

from __future__ import annotations

import asyncio
import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evidence.worker import QUEUE

logger = logging.getLogger("evidence.worker")


class Command(BaseCommand):
    help = "録音の解析などを行うワーカー（PostgreSQL のキューから処理を取り出して実行）"

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=1, help="同時に実行する処理の数")

    def handle(self, *args, concurrency: int, **options):
        if settings.MAMORU_WORKER != "procrastinate":
            raise CommandError(
                "ワーカーは PostgreSQL（DATABASE_URL）で MAMORU_WORKER=procrastinate のときに使います。"
                "SQLite のデモでは録音の解析は登録の直後に画面のプロセスで行われます（eager）。"
            )
        from procrastinate.contrib.django import app

        with app.replace_connector(app.connector.get_worker_connector()):
            asyncio.run(self._run(app, concurrency=max(1, concurrency)))

    async def _run(self, app, *, concurrency: int) -> None:
        stalled = max(1.0, float(settings.MAMORU_WORKER_STALLED_SECONDS))
        async with app.open_async():
            recovery = asyncio.create_task(self._recover_stalled(app, stalled=stalled))
            try:
                await app.run_worker_async(
                    queues=[QUEUE],
                    concurrency=concurrency,
                    update_heartbeat_interval=max(0.5, stalled / 5),
                    stalled_worker_timeout=stalled,
                    delete_jobs="successful",
                    install_signal_handlers=True,
                )
            finally:
                recovery.cancel()

    async def _recover_stalled(self, app, *, stalled: float) -> None:
        """Every few seconds: the jobs of workers silent for ``stalled`` seconds go back to the queue."""
        while True:
            try:
                for job in await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=stalled):
                    logger.warning("job %s of a stopped worker is put back in the queue", job.id)
                    await app.job_manager.retry_job(job)
            except Exception:
                logger.exception("could not check for the jobs of stopped workers")
            await asyncio.sleep(max(0.5, stalled / 2))
