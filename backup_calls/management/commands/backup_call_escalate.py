import time

from django.conf import settings
from django.core.management.base import BaseCommand

from backup_calls.services import backup_call_escalate_due


class Command(BaseCommand):
    help = "応答のない応援要請を次の段階へ引き上げます（--loop で繰り返し）。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="繰り返し実行する")

    def handle(self, *args, loop=False, **options):
        interval = settings.MAMORU_BACKUP_ESCALATION_INTERVAL or 2
        while True:
            for call in backup_call_escalate_due():
                self.stdout.write(f"{call}: {call.get_level_display()}")
            if not loop:
                return
            time.sleep(interval)
