"""``python manage.py repetition_evaluate`` (or ``python -m mamoru repetition-evaluate``):
count the policy pack's repetition rules for every resident. Run it nightly
(cron); contacts also trigger it for their resident as they are saved."""

from django.core.management.base import BaseCommand

from repetition.services import repetition_evaluate_all


class Command(BaseCommand):
    help = "ポリシーパックの繰り返しの基準を、全ての住民等について確認します（毎晩の実行を推奨）。"

    def handle(self, *args, **options):
        summary = repetition_evaluate_all()
        self.stdout.write(
            f"住民等 {summary.residents:,} 名を確認しました。基準に達した {summary.fired:,} 件"
            f"（新たな要確認 {summary.created:,} 件）。要確認の合計 {summary.open_flags:,} 件。"
        )
