"""``python -m mamoru import-contacts FILE.xlsx|FILE.csv --user USERNAME``:
bring a city's existing 記録 spreadsheet in as contacts (see ``records.imports``).

Exit status 0 when every row was imported or had been imported before, 1 when
any row could not be read (those rows are listed by row number)."""

import sys

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from records.imports import ImportFileError, contacts_import
from records.imports.mapping import FIELDS, MappingError, build_mapping


class Command(BaseCommand):
    help = "市の記録表（.xlsx または .csv）を対応記録として取り込みます。同じ行は二度取り込みません。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="取り込むファイル（.xlsx または .csv）")
        parser.add_argument("--user", required=True, help="取り込みを行う職員のユーザー名（監査ログに残ります）")
        parser.add_argument("--sheet", help="読むシート名（.xlsx、既定は最初のシート）")
        parser.add_argument("--encoding", help="CSV の文字コード（既定は UTF-8 と Shift_JIS から自動判定）")
        parser.add_argument("--header-row", type=int, help="見出しの行番号（既定は最初の空でない行）")
        parser.add_argument(
            "--map",
            dest="map_options",
            action="append",
            default=[],
            metavar="列名=項目",
            help="列の対応付けを追加・変更（繰り返し可）。項目: " + ", ".join(FIELDS),
        )
        parser.add_argument("--mapping", help="列の対応付けを書いた TOML ファイル（[columns] 表）")
        parser.add_argument("--dry-run", action="store_true", help="確認だけ行い、何も書き込まない")

    def handle(self, *args, file, user, sheet, encoding, header_row, map_options, mapping, dry_run, **options):
        verbosity = options["verbosity"]
        actor = User.objects.filter(username=user).select_related("department").first()
        if actor is None:
            raise CommandError(_("ユーザー「{user}」が見つかりません。").format(user=user))
        if header_row is not None and header_row < 1:
            raise CommandError(_("--header-row は1以上で指定してください。"))
        try:
            columns = build_mapping(options=map_options, path=mapping)
            result = contacts_import(
                actor=actor,
                path=file,
                mapping=columns,
                encoding=encoding,
                sheet=sheet,
                header_row=header_row,
                dry_run=dry_run,
            )
        except (MappingError, ImportFileError, PermissionDenied) as error:
            raise CommandError(str(error)) from error

        if verbosity >= 2 and result.unused_headers:
            self.stdout.write(_("使わなかった列: {headers}").format(headers="、".join(result.unused_headers)))
        for row in result.rows:
            if row.status == "failed":
                self.stderr.write(row.describe())
            elif verbosity >= 2:
                self.stdout.write(row.describe())
        if verbosity >= 1:
            self.stdout.write(result.summary())
        if result.failed:
            sys.exit(1)
