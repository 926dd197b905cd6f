"""``python -m mamoru evidence-export --case N --output FILE.zip --user USERNAME``: a case's
evidence as one ZIP for the police or a lawyer (``evidence.export``), streamed to the file
(no file is read whole into memory). Each file exported is a custody event with the purpose.

``--list FILE.pdf`` writes the printable 証拠一覧 (A4) instead. Exit status 0 when written."""

import os
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from cases.models import Case
from evidence import services

DEFAULT_PURPOSE = "証拠の提出のための書き出し（コマンド）"


class Command(BaseCommand):
    help = "事案の証拠を ZIP（ファイル、一覧 CSV・JSON、SHA256SUMS、確かめ方の README）に書き出します。"

    def add_arguments(self, parser):
        parser.add_argument("--case", required=True, type=int, help="事案番号")
        parser.add_argument("--output", help="書き出す ZIP ファイル（既にあるファイルは上書きしません）")
        parser.add_argument("--list", dest="list_pdf", help="ZIP の代わりに証拠一覧（A4 PDF）をこのファイルに書き出す")
        parser.add_argument("--user", required=True, help="書き出す職員のユーザー名（保管記録と監査ログに残ります）")
        parser.add_argument("--purpose", default=DEFAULT_PURPOSE, help="書き出しの目的（保管記録に残ります）")
        parser.add_argument("--recipient", default="", help="提出先（例: 大田原警察署 生活安全課、○○法律事務所）")

    def handle(self, *args, case, output, list_pdf, user, purpose, recipient, **options):
        actor = User.objects.filter(username=user).select_related("department").first()
        if actor is None or not actor.is_active:
            raise CommandError(_("ユーザー「{user}」が見つかりません。").format(user=user))
        if bool(output) == bool(list_pdf):
            raise CommandError(_("--output（ZIP）か --list（証拠一覧 PDF）のどちらか一方を指定してください。"))
        target = Path(output or list_pdf)
        if target.exists():
            raise CommandError(_("「{path}」は既にあります。別のファイル名を指定してください。").format(path=target))
        if not target.parent.is_dir():
            raise CommandError(_("フォルダ「{path}」がありません。").format(path=target.parent))
        the_case = Case.objects.select_related("department").filter(pk=case).first()
        if the_case is None:
            raise CommandError(_("事案 No.{case} が見つかりません。").format(case=case))
        try:
            if list_pdf:
                target.write_bytes(services.evidence_list_pdf(actor=actor, case=the_case))
                self.stdout.write(_("証拠一覧を書き出しました: {path}").format(path=target))
                return
            archive = services.evidence_export(actor=actor, case=the_case, purpose=purpose, recipient=recipient)
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(_message(error)) from error
        partial = target.with_name(target.name + ".part")
        try:
            with open(partial, "xb") as handle:
                for chunk in archive:
                    handle.write(chunk)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        included = sum(1 for item in archive.items if item.included)
        self.stdout.write(
            _("{path} に {count} 件のファイルを書き出しました（{size:,} バイト）。").format(
                path=target, count=included, size=target.stat().st_size
            )
        )
        listed = len(archive.items) - included
        if listed:
            self.stdout.write(_("削除済みのため一覧にのみ記載: {count} 件").format(count=listed))


def _message(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
