"""``python -m mamoru evidence-verify [--evidence N]``: the integrity check (timestamps
stream). Every stored file is read back from storage in chunks and hashed again, and its
time-stamp tokens are checked; a file whose bytes no longer match is named and the
command exits 1."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evidence.timestamp_services import evidence_verify


class Command(BaseCommand):
    help = "保存されている証拠ファイルを読み直して SHA-256 とタイムスタンプを確認します（不一致は終了コード 1）。"

    def add_arguments(self, parser):
        parser.add_argument("--evidence", type=int, help="この番号の証拠のファイルだけ")

    def handle(self, *args, evidence=None, **options):
        results = evidence_verify(actor=None, evidence_id=evidence)
        if evidence is not None and not results:
            raise CommandError(f"証拠 No.{evidence} のファイルが見つかりません（削除済み・消去済みを含む）。")
        for result in results:
            names = ", ".join(
                f"No.{pk:06d} {name}" for pk, name in result.stored_file.evidence.values_list("pk", "original_name")
            )
            if result.ok:
                stamp = (
                    f"タイムスタンプ {result.tokens_ok} 件確認" if not result.untimestamped else "タイムスタンプ未取得"
                )
                self.stdout.write(f"一致 {result.stored_file.sha256}（{names}）{stamp}")
            else:
                for problem in result.problems:
                    self.stderr.write(f"不一致 {result.stored_file.sha256}（{names}）: {problem}")
        if any(result.tokens_ok for result in results) and not settings.MAMORU_TSA_CA_FILE:
            self.stdout.write(
                "注意: MAMORU_TSA_CA_FILE が設定されていないため、タイムスタンプはハッシュ値だけを確認し、署名は確認していません。"
            )
        failed = sum(1 for result in results if not result.ok)
        self.stdout.write(f"{len(results)} 件を確認、{failed} 件に問題があります。")
        if failed:
            raise CommandError(f"{failed} 件の証拠ファイルが登録時の内容と一致しないか、確認できません。")
