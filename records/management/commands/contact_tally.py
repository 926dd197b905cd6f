from django.core.management.base import BaseCommand

from records.tally import contact_tally_pending, contact_tally_rebuild


class Command(BaseCommand):
    help = (
        "統計用の対応件数の集計を更新します: 集計待ちの日を数え直します"
        "（--rebuild ですべての対応記録を数え直します。一括取込みの後や、市の時間帯を変えた後に）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="すべての対応記録を数え直す")

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            written = contact_tally_rebuild(progress=lambda month: self.stdout.write(f"  {month:%Y-%m}"))
            self.stdout.write(f"集計を作り直しました（{written:,}行）。")
            return
        days = contact_tally_pending()
        self.stdout.write(f"集計待ちの{days}日を数え直しました。")
