"""``python manage.py seed_demo`` (or ``python -m mamoru seed-demo``): load the
demo city hall — departments, staff, residents and a year of contact records."""

from django.core.management.base import BaseCommand, CommandError

from demo.generator import DEFAULT_SEED, PackMismatch, account_rows, is_seeded, seed_demo
from mamoru.policy.loader import current as current_policy


class Command(BaseCommand):
    help = "デモ用のデータ（所属・職員・住民等・1年分の対応記録）を作成します。"

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=3000, help="対応記録の件数（既定 3000）")
        parser.add_argument("--residents", type=int, default=300, help="住民等の人数（既定 300）")
        parser.add_argument("--months", type=int, default=12, help="さかのぼる月数（既定 12）")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="乱数の種（同じ種なら同じデータ）")
        parser.add_argument("--if-empty", action="store_true", help="所属が1件でもあれば何もしない")

    def handle(self, *args, contacts, residents, months, seed, if_empty, **options):
        if min(contacts, residents) < 0 or months < 1:
            raise CommandError("件数は0以上、月数は1以上を指定してください。")
        if is_seeded():
            if if_empty:
                self.stdout.write("データが既にあるため、デモデータは作成しませんでした。")
                return
            raise CommandError(
                "データベースが空ではありません。空のデータベースで実行してください（--if-empty で省略）。"
            )
        verbose = options["verbosity"] >= 1
        step = max(50_000, contacts // 20)

        def progress(done, total):
            if verbose and (done % step < 2000 or done == total) and total >= 50_000:
                self.stdout.write(f"  対応記録 {done:,} / {total:,} 件")

        try:
            result = seed_demo(contacts=contacts, residents=residents, months=months, seed=seed, progress=progress)
        except PackMismatch as error:
            raise CommandError(str(error)) from error
        if verbose:
            self._report(result)

    def _report(self, result):
        tally = result.tally
        names = current_policy().category_names()
        rate = tally.contacts / tally.seconds if tally.seconds else 0
        lines = [
            "",
            f"デモデータを作成しました（{result.seconds:.1f}秒、対応記録 毎秒{rate:,.0f}件）。",
            f"  所属 {result.departments} 課 / 利用者 {result.users} 名 / 住民等 {result.residents:,} 名（繰り返し来庁する人 {result.repeaters} 名）",
            f"  対応記録 {tally.contacts:,} 件: 該当する {tally.kinds['yes']:,} 件、"
            f"判断に迷う {tally.kinds['unsure']:,} 件、該当しない {tally.kinds['no']:,} 件、"
            f"未判断 {tally.kinds['undecided']:,} 件",
            "  類型: " + "、".join(f"{names.get(code, code)} {tally.categories[code]}" for code in names),
            f"  事案 {result.cases} 件（直近60日の「該当する」対応記録から、サービス経由で作成）",
            "",
            "デモ用アカウント（パスワードはすべて mamoru-demo。ほかの職員も同じパスワードです）:",
        ]
        rows = [("ユーザー名", "役割", "所属", "パスワード"), *account_rows()]
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            lines.append(
                "  " + "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
            )
        self.stdout.write("\n".join(lines))


def _width(text: str) -> int:
    """Columns a string takes in a terminal: Japanese characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
