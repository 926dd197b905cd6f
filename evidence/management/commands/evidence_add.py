"""``python -m mamoru evidence-add --contact N FILE --user USERNAME``: keep one file as
evidence of a contact (or ``--case N``), hashed as it is read, with the same checks
as the pages. Exit status 0 when kept, 1 when refused (the reason in Japanese)."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from cases.selectors import case_get
from records.selectors import contact_get

from ...incoming import incoming_from_path
from ...services import evidence_add
from ._common import KIND_HELP, acting_user, kind_option, moment_option


class Command(BaseCommand):
    help = "ファイル1つを対応記録（または事案）の証拠として登録します。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="登録するファイル")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--contact", type=int, help="対応記録の番号")
        target.add_argument("--case", type=int, help="事案の番号")
        parser.add_argument("--user", required=True, help="登録する職員のユーザー名（保管記録・監査ログに残ります）")
        parser.add_argument("--kind", default="", help=KIND_HELP)
        parser.add_argument("--captured-at", help="記録日時（録音・撮影した日時。例: 2026-12-03 10:15）")
        parser.add_argument("--captured-by", default="", help="記録した人")
        parser.add_argument("--place", default="", help="記録した場所")
        parser.add_argument("--description", default="", help="内容の説明")

    def handle(self, *args, file, contact, case, user, kind, captured_at, captured_by, place, description, **options):
        actor = acting_user(user)
        kind = kind_option(kind)
        moment = moment_option(captured_at)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("ファイル「{file}」が見つかりません。").format(file=file))
        try:
            attach = (
                {"contact": contact_get(user=actor, pk=contact)}
                if contact is not None
                else {"case": case_get(user=actor, pk=case)}
            )
        except Http404:
            what = _("対応記録 No.{n}").format(n=contact) if contact is not None else _("事案 No.{n}").format(n=case)
            raise CommandError(_("{what} が見つからないか、閲覧する権限がありません。").format(what=what)) from None
        try:
            added = evidence_add(
                actor=actor,
                incoming=incoming_from_path(path),
                kind=kind,
                description=description,
                captured_by_name=captured_by,
                captured_at=moment,
                captured_place=place,
                **attach,
            )
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        evidence = added.evidence
        self.stdout.write(
            _("{evidence} を登録しました（{kind}、{size} バイト、SHA-256 {sha256}）。").format(
                evidence=evidence,
                kind=evidence.get_kind_display(),
                size=evidence.stored_file.size,
                sha256=evidence.stored_file.sha256,
            )
        )
        if added.note:
            self.stdout.write(added.note)
