"""``python -m mamoru audit-verify``: is the audit log as it was written?

Exits 0 when every entry is present and unchanged; otherwise names the first
broken or missing entry and exits 1."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from audit.verification import audit_chain_verify


class Command(BaseCommand):
    help = "監査ログのハッシュチェーンを確認し、最初に改変・欠落している記録を示します。"

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if report.ok:
            self.stdout.write(
                _("監査ログ {count}件を確認しました。改変・欠落はありません（最後の通し番号: {last}）。").format(
                    count=report.checked, last=report.last_sequence
                )
            )
            return
        self.stderr.write(
            _("監査ログに改変または欠落があります: {message}（確認できた記録: {count}件）").format(
                message=report.problem.message, count=report.checked
            )
        )
        sys.exit(1)
