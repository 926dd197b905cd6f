"""``python -m mamoru evidence-timestamp [--missing] [--evidence N]``: ask the configured
time-stamping authority for tokens (timestamps stream). ``--missing`` retries the files
whose token is still 「未取得」 (run it from cron after an outage); without it every file
gets a new token (e.g. before the TSA's certificate expires)."""

from django.core.management.base import BaseCommand, CommandError

from evidence import timestamps
from evidence.timestamp_services import files_to_timestamp, stored_file_timestamp


class Command(BaseCommand):
    help = "証拠ファイルの SHA-256 に時刻認証局（TSA）のタイムスタンプを取得します。"

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="タイムスタンプが未取得のファイルだけ")
        parser.add_argument("--evidence", type=int, help="この番号の証拠のファイルだけ")

    def handle(self, *args, missing=False, evidence=None, **options):
        if not timestamps.configured():
            raise CommandError("時刻認証局が設定されていません（MAMORU_TSA_URL）。")
        files = list(files_to_timestamp(missing=missing, evidence_id=evidence))
        if evidence is not None and not files and not missing:
            raise CommandError(f"証拠 No.{evidence} のファイルが見つかりません（削除済みを含む）。")
        failed = 0
        for stored_file in files:
            stamped = stored_file_timestamp(actor=None, stored_file=stored_file)
            if stamped.error:
                failed += 1
                self.stderr.write(f"未取得 {stored_file.sha256}: {stamped.error}")
            else:
                token = stamped.token
                self.stdout.write(f"取得 {stored_file.sha256} {token.gen_time.isoformat()} シリアル {token.serial}")
        self.stdout.write(f"{len(files) - failed} 件取得、{failed} 件未取得。")
        if failed:
            raise CommandError(f"{failed} 件のタイムスタンプを取得できませんでした。")
