"""``python -m mamoru same-person --input pairs.jsonl --output out.jsonl``:
decide for each pair of records whether they are the same person (名寄せ).

Input, one JSON object a line (any field may be missing or empty)::

    {"id": "1", "a": {"name": "髙橋 誠", "kana": "", "phone": "0287-23-8702", "address": ""}, "b": {...}}

Output, one line for each input line, with its id::

    {"id": "1", "same": true, "score": 0.98, "reasons": ["氏名が一致（異体字「髙」を「高」として比較）", "電話番号が一致"]}

A line that cannot be read is reported on stderr with its line number; the
other lines are still decided, and the command exits with status 1."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from people.matching import PersonFields, same_person

FIELDS = ("name", "kana", "phone", "address")


class LineError(ValueError):
    pass


def parse_person(value, side: str) -> PersonFields:
    if value is None:
        return PersonFields()
    if not isinstance(value, dict):
        raise LineError(_("「{side}」はオブジェクト（{{…}}）で書いてください").format(side=side))
    values = {}
    for field in FIELDS:
        item = value.get(field)
        if item is None:
            item = ""
        elif isinstance(item, bool) or not isinstance(item, str | int):
            raise LineError(_("「{side}.{field}」は文字列で書いてください").format(side=side, field=field))
        values[field] = str(item)
    return PersonFields(**values)


def parse_line(text: str) -> tuple[object, PersonFields, PersonFields]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LineError(_("JSON として読み取れません（{detail}）").format(detail=exc.msg)) from exc
    if not isinstance(data, dict):
        raise LineError(_("1行に1つの JSON オブジェクト（{…}）を書いてください"))
    if data.get("id") in (None, ""):
        raise LineError(_("「id」がありません"))
    if "a" not in data or "b" not in data:
        raise LineError(_("比較する2人（「a」と「b」）がそろっていません"))
    return data["id"], parse_person(data["a"], "a"), parse_person(data["b"], "b")


class Command(BaseCommand):
    help = "2件の記録が同一人物かを判定します（名寄せ）。入力・出力は JSON Lines です。"

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="入力ファイル（JSON Lines）。- で標準入力")
        parser.add_argument("--output", default="-", help="出力ファイル（JSON Lines）。省略時は標準出力")

    def handle(self, *args, input: str, output: str, **options):
        try:
            source = sys.stdin.buffer if input == "-" else open(input, "rb")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(
                _("入力ファイルを開けません: {path}（{error}）").format(path=input, error=exc.strerror)
            ) from exc
        try:
            target = self.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(
                _("出力ファイルを開けません: {path}（{error}）").format(path=output, error=exc.strerror)
            ) from exc
        failed = decided = 0
        try:
            for number, raw in enumerate(source, start=1):
                try:
                    line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                    if not line.strip():
                        continue
                    pair_id, a, b = parse_line(line)
                except UnicodeDecodeError:
                    failed += 1
                    self.stderr.write(_("{number}行目: UTF-8 として読み取れません").format(number=number))
                    continue
                except LineError as exc:
                    failed += 1
                    self.stderr.write(_("{number}行目: {error}").format(number=number, error=exc))
                    continue
                decision = same_person(a, b)
                result = {
                    "id": pair_id,
                    "same": decision.same,
                    "score": decision.score,
                    "reasons": list(decision.reasons),
                }
                target.write(json.dumps(result, ensure_ascii=False) + "\n")
                decided += 1
        finally:
            if source is not sys.stdin.buffer:
                source.close()
            if target is not self.stdout:
                target.close()
        if failed:
            raise CommandError(
                _("{failed}行を処理できませんでした（{decided}行は判定済み）。").format(failed=failed, decided=decided)
            )
