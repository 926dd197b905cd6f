"""Measuring the resident matcher on the labelled pairs (data/people/pairs.jsonl).

``python manage.py evaluate_matching [--split test] [--path FILE]`` prints
precision, recall and F1 of ``same`` and the pairs decided wrongly, by case.
The thresholds in ``people.matching`` were set on the "dev" split; the
"test" split is held out and its figures are the ones to report."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .matching import PersonFields, same_person

PAIRS_PATH = Path(settings.BASE_DIR) / "data" / "people" / "pairs.jsonl"


@dataclass
class Evaluation:
    """Counts over labelled pairs, and the pairs decided wrongly."""

    true_positive: int = 0
    false_positive: int = 0
    true_negative: int = 0
    false_negative: int = 0
    errors: list[dict] = field(default_factory=list)
    by_case: Counter = field(default_factory=Counter)
    wrong_by_case: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.true_positive + self.false_positive + self.true_negative + self.false_negative

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positive + self.false_negative
        return self.true_positive / actual if actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_pairs(path: Path = PAIRS_PATH, split: str | None = None) -> list[dict]:
    pairs = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                pair = json.loads(line)
                if split in (None, "all") or pair.get("split") == split:
                    pairs.append(pair)
    return pairs


def _fields(data: dict) -> PersonFields:
    return PersonFields(**{key: str(data.get(key) or "") for key in ("name", "kana", "phone", "address")})


def evaluate(pairs: list[dict]) -> Evaluation:
    result = Evaluation()
    for pair in pairs:
        decision = same_person(_fields(pair["a"]), _fields(pair["b"]))
        case = pair.get("case", "")
        result.by_case[case] += 1
        if pair["same"] and decision.same:
            result.true_positive += 1
        elif pair["same"]:
            result.false_negative += 1
        elif decision.same:
            result.false_positive += 1
        else:
            result.true_negative += 1
        if decision.same != pair["same"]:
            result.wrong_by_case[case] += 1
            result.errors.append({"pair": pair, "decision": decision})
    return result
