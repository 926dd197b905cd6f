import sys

from django.core.management.base import BaseCommand, CommandError

from assessment.services import classifier, classify_lines


class Command(BaseCommand):
    help = 'JSONL（{"id", "text"}）の各行を判定し、類型・確からしさ・根拠をJSONLで書き出します。'

    def add_arguments(self, parser):
        parser.add_argument("--input", default="-", help="入力ファイル（- は標準入力）")
        parser.add_argument("--output", default="-", help="出力ファイル（- は標準出力）")

    def handle(self, *args, input, output, **options):
        model = classifier()
        try:
            source = sys.stdin.buffer if input == "-" else open(input, "rb")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"入力ファイルを開けません: {error}") from error
        try:
            target = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"出力ファイルを開けません: {error}") from error
        try:
            written, problems = classify_lines(source, target, model=model)
        finally:
            if source is not sys.stdin.buffer:
                source.close()
            if target is not sys.stdout:
                target.close()
        for problem in problems:
            self.stderr.write(problem)
        self.stderr.write(f"{written}件を判定しました（問題のあった行: {len(problems)}）")
