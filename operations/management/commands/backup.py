"""``python -m mamoru backup --output DIR``: the database (pg_dump, custom format), every
evidence file and manifest.json with their SHA-256 (operations.backup; docs/deploy.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...backup import BackupError, backup_create


class Command(BaseCommand):
    help = "データベースと証拠ファイルをバックアップする（PostgreSQL のみ）。"

    def add_arguments(self, parser):
        parser.add_argument("--output", default="", help="バックアップを書き出すフォルダ（新しいか空のフォルダ）")

    def handle(self, *args, **options):
        if not options["output"].strip():
            raise CommandError("--output にバックアップを書き出すフォルダを指定してください。")
        try:
            outcome = backup_create(output=Path(options["output"].strip()))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"バックアップ: {outcome.folder}")
        self.stdout.write(f"  データベース: {outcome.database_size:,} バイト")
        self.stdout.write(
            f"  証拠ファイル: {outcome.objects_ok} 件（保存期間満了で消去済み {outcome.objects_purged} 件）"
        )
        for problem in outcome.problems:
            self.stderr.write(f"  {problem.status}: {problem.key} — {problem.message}")
        if outcome.failed:
            raise CommandError(
                f"証拠ファイル {len(outcome.problems)} 件がデータベースの記録と一致しないか、保存先にありません"
                "（manifest.json に記録しました）。保存先を調べてください。"
            )
        self.stdout.write(self.style.SUCCESS("バックアップが完了しました。サーバーの外に保管してください。"))
