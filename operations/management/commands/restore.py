"""``python -m mamoru restore --input DIR``: a backup (``python -m mamoru backup``) into an
empty database and the evidence storage, each file checked against manifest.json."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "バックアップを空のデータベースと証拠ファイルの保存先に復元する（PostgreSQL のみ）。"

    def add_arguments(self, parser):
        parser.add_argument("--input", default="", help="バックアップのフォルダ（manifest.json のあるフォルダ）")

    def handle(self, *args, **options):
        if not options["input"].strip():
            raise CommandError("--input にバックアップのフォルダを指定してください。")
        try:
            outcome = backup_restore(source=Path(options["input"].strip()))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"復元: {outcome.folder}")
        self.stdout.write(f"  データベース: {outcome.database_size:,} バイトのダンプを復元しました")
        self.stdout.write(
            f"  証拠ファイル: {outcome.objects_ok} 件を復元しました（保存期間満了で消去済み {outcome.objects_purged} 件）"
        )
        for problem in outcome.problems:
            self.stderr.write(f"  {problem.status}: {problem.key} — {problem.message}")
        for note in outcome.notes:
            self.stdout.write(f"  注意: {note}")
        if outcome.failed:
            raise CommandError(f"証拠ファイル {len(outcome.problems)} 件を復元できませんでした（上の一覧）。")
        self.stdout.write(self.style.SUCCESS("復元が完了しました。"))
