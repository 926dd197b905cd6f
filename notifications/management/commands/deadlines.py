import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.deadlines import deadlines_collect, deadlines_remind


class Command(BaseCommand):
    help = (
        "期限のある仕事（インターネット上の投稿の削除申出への回答、発信者情報開示命令の申立て、告訴期間、"
        "他事業者への回答など）を期限の近い順に表示し、通知する日になったものを専門部署・対象の職員に"
        "お知らせとメールで知らせます（同じ期限は1日1回。毎日 cron で実行）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="この日として計算する（YYYY-MM-DD。確認用）")
        parser.add_argument("--dry-run", action="store_true", help="表示だけして通知しない")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today「{options['today']}」は日付として読めません（例: 2026-04-01）。") from None
        deadlines = deadlines_collect(today=today)
        if not deadlines:
            self.stdout.write("期限のある仕事はありません。")
        for deadline in deadlines:
            left = deadline.days_left(today)
            when = f"{-left}日超過" if left < 0 else ("今日" if left == 0 else f"あと{left}日")
            mark = "＊" if deadline.is_due_for_reminder(today) else "　"
            self.stdout.write(f"{mark}{deadline.due_on.isoformat()}（{when}） {deadline.title}")
            if deadline.basis:
                self.stdout.write(f"　　根拠: {deadline.basis}")
            self.stdout.write(f"　　{deadline.url}")
        if options["dry_run"]:
            self.stdout.write(f"期限 {len(deadlines)}件（通知は送っていません: --dry-run）")
            return
        sent = deadlines_remind(today=today, deadlines=deadlines)
        self.stdout.write(f"期限 {len(deadlines)}件、通知 {len(sent)}件（＊: 通知する日になったもの）")
