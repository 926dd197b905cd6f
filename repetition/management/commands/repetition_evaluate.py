"""``python manage.py repetition_evaluate`` (or ``python -m mamoru repetition-evaluate``):
count the policy pack's repetition rules for every resident. Run it nightly
(cron). Saved contacts ask for their resident to be counted again; each server
process does that in the background within seconds. ``--pending`` counts only
those residents, for a server that runs no background loop (cron every minute)."""

from django.core.management.base import BaseCommand

from repetition.services import repetition_evaluate_all, repetition_recount_pending


class Command(BaseCommand):
    help = "ポリシーパックの繰り返しの基準を、全ての住民等について確認します（毎晩の実行を推奨）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--pending", action="store_true", help="対応記録の保存で再集計待ちになった住民等だけを確認します。"
        )

    def handle(self, *args, **options):
        if options["pending"]:
            counted = repetition_recount_pending(limit=None)
            self.stdout.write(f"再集計待ちの住民等 {counted:,} 名を確認しました。")
            return
        summary = repetition_evaluate_all()
        self.stdout.write(
            f"再集計待ちの住民等 {summary.pending:,} 名と、期間内に対応のある住民等 {summary.residents:,} 名を確認しました。"
            f"基準に達した {summary.fired:,} 件（新たな要確認 {summary.created:,} 件）。"
            f"要確認の合計 {summary.open_flags:,} 件。"
        )
