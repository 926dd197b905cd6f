from django.core.management.base import BaseCommand

from measures.services import measure_reminders


class Command(BaseCommand):
    help = "見直し日が近い措置を専門部署に通知し、終了日を過ぎた措置を期間満了にします（毎日実行）。"

    def handle(self, *args, **options):
        due = measure_reminders()
        self.stdout.write(f"見直しの通知: {len(due)}件")
