"""``python -m mamoru evidence-import FOLDER --user USERNAME``: bring in a folder of
recordings exported from a phone recorder, each file matched to its contact by its
phone number or its time (``evidence.imports``). Files that match no contact or several
are listed and left alone. ``--dry-run`` shows the table and writes nothing.
Exit status 0 when every evidence file found its contact, 1 otherwise."""

import datetime as dt
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department

from ...imports import ADDED, ALREADY, DUPLICATE, MATCHED, SKIPPED, evidence_import, match_folder
from ._common import KIND_HELP, acting_user, kind_option, table


class Command(BaseCommand):
    help = "録音装置から書き出したフォルダを、時刻や電話番号で対応記録と照合して証拠として取り込みます。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="取り込むフォルダ（サブフォルダも含む）")
        parser.add_argument("--user", required=True, help="取り込む職員のユーザー名（保管記録・監査ログに残ります）")
        parser.add_argument("--department", help="照合する対応記録の課（コード。既定は見られるすべての課）")
        parser.add_argument(
            "--tolerance", type=int, default=10, help="時刻の照合で前後に許す分数（既定 10 分。装置の時計のずれ）"
        )
        parser.add_argument("--kind", default="", help=KIND_HELP)
        parser.add_argument("--dry-run", action="store_true", help="照合の結果を表示するだけで、何も登録しない")

    def handle(self, *args, folder, user, department, tolerance, kind, dry_run, **options):
        actor = acting_user(user)
        kind = kind_option(kind)
        root = Path(folder)
        if not root.is_dir():
            raise CommandError(_("フォルダ「{folder}」が見つかりません。").format(folder=folder))
        if not 0 <= tolerance <= 24 * 60:
            raise CommandError(_("--tolerance は0〜1440分で指定してください。"))
        department_id = None
        if department:
            found = Department.objects.filter(code=department).first()
            if found is None:
                raise CommandError(_("課「{code}」が見つかりません。").format(code=department))
            department_id = found.pk
        files = match_folder(
            user=actor, folder=root, department_id=department_id, tolerance=dt.timedelta(minutes=tolerance)
        )
        if not dry_run:
            files = evidence_import(actor=actor, folder=root, found=files, kind=kind)
        rows = [
            [
                str(item.path.relative_to(root)),
                item.status_label,
                f"No.{item.contact.pk}" if item.contact is not None else "—",
                timezone.localtime(item.moment).strftime("%Y-%m-%d %H:%M:%S") if item.moment else "—",
                item.reason,
            ]
            for item in files
        ]
        if rows:
            self.stdout.write(table([_("ファイル"), _("結果"), _("対応記録"), _("時刻"), _("理由・お知らせ")], rows))
        counts = {}
        for item in files:
            counts[item.status_label] = counts.get(item.status_label, 0) + 1
        summary = "、".join(f"{label} {count} 件" for label, count in counts.items()) or _("ファイルがありません")
        prefix = _("（確認のみ・何も登録していません）") if dry_run else ""
        self.stdout.write(f"{prefix}{summary}")
        settled = {MATCHED, ADDED, DUPLICATE, ALREADY, SKIPPED}
        if any(item.status not in settled for item in files):
            sys.exit(1)
