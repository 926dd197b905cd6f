import sys

from django.core.management.base import BaseCommand

from assessment.services import labels_export


class Command(BaseCommand):
    help = "職員が確認した類型（提案を採用・不採用した対応記録）を学習用のJSONLとして書き出します。"

    def add_arguments(self, parser):
        parser.add_argument("--output", default="-")

    def handle(self, *args, output, **options):
        if output == "-":
            count = labels_export(output=sys.stdout)
        else:
            with open(output, "w", encoding="utf-8") as handle:
                count = labels_export(output=handle)
        self.stderr.write(f"{count}件を書き出しました")
