"""``python manage.py evaluate_matching``: precision and recall of the
resident matcher on the labelled pairs; see people/evaluate_matching.py."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from people.evaluate_matching import PAIRS_PATH, evaluate, load_pairs


class Command(BaseCommand):
    help = "名寄せの判定を正解付きの組（data/people/pairs.jsonl）で評価し、適合率・再現率・F1 を表示します。"

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(PAIRS_PATH), help="正解付きの組（JSON Lines）")
        parser.add_argument("--split", default="all", choices=["all", "dev", "test"], help="評価する部分")
        parser.add_argument("--show", type=int, default=20, help="表示する誤判定の件数")

    def handle(self, *args, path: str, split: str, show: int, **options):
        splits = ["dev", "test", "all"] if split == "all" else [split]
        for name in splits:
            result = evaluate(load_pairs(Path(path), name))
            self.stdout.write(
                f"[{name}] {result.total}組  適合率(precision) {result.precision:.3f}  "
                f"再現率(recall) {result.recall:.3f}  F1 {result.f1:.3f}  "
                f"(TP {result.true_positive} FP {result.false_positive} "
                f"TN {result.true_negative} FN {result.false_negative})"
            )
        result = evaluate(load_pairs(Path(path), split))
        self.stdout.write("誤判定（事例別）:")
        for case, total in sorted(result.by_case.items()):
            wrong = result.wrong_by_case.get(case, 0)
            self.stdout.write(f"  {case}: {wrong}/{total}")
        for error in result.errors[:show]:
            pair, decision = error["pair"], error["decision"]
            self.stdout.write(
                f"- {pair['id']} [{pair.get('case', '')}] 正解 {pair['same']} 判定 {decision.same} "
                f"({decision.score:.2f}) {'／'.join(decision.reasons)}\n"
                f"    a={json.dumps(pair['a'], ensure_ascii=False)}\n    b={json.dumps(pair['b'], ensure_ascii=False)}"
            )
