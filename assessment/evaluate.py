"""Evaluating a classifier on the held-out split of the corpus (``make eval``)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings

CORPUS_PATH = Path(settings.BASE_DIR) / "data" / "assessment" / "corpus.jsonl"


def load_corpus(path: Path = CORPUS_PATH, *, split: str | None = None) -> list[dict]:
    items = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                item = json.loads(line)
                if split is None or item.get("split") == split:
                    items.append(item)
    return items


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def evaluate(classifier, items: list[dict], codes: list[str]) -> dict:
    """Scores of ``classifier`` on ``items`` (each with ``text`` and ``categories``)."""
    started = time.perf_counter()
    predictions = classifier.predict_many([item["text"] for item in items])
    seconds = time.perf_counter() - started
    tp = fp = fn = tn = 0
    per_code = {code: [0, 0, 0] for code in codes}
    for item, prediction in zip(items, predictions, strict=True):
        actual = bool(item["categories"])
        if prediction.is_harassment and actual:
            tp += 1
        elif prediction.is_harassment:
            fp += 1
        elif actual:
            fn += 1
        else:
            tn += 1
        for code in codes:
            predicted, labelled = code in prediction.categories, code in item["categories"]
            per_code[code][0] += predicted and labelled
            per_code[code][1] += predicted and not labelled
            per_code[code][2] += labelled and not predicted
    categories = {code: _prf(*counts) for code, counts in per_code.items()}
    return {
        "items": len(items),
        "harassment": _prf(tp, fp, fn),
        "false_positive_rate": fp / (fp + tn) if fp + tn else 0.0,
        "legitimate": fp + tn,
        "categories": categories,
        "macro_f1": sum(c["f1"] for c in categories.values()) / len(categories),
        "texts_per_second": len(items) / seconds if seconds else 0.0,
    }


def format_report(name: str, result: dict, *, load_seconds: float | None = None) -> str:
    h = result["harassment"]
    lines = [
        f"== {name} ({result['items']} held-out items) ==",
        f"is_harassment  precision {h['precision']:.3f}  recall {h['recall']:.3f}  F1 {h['f1']:.3f}",
        f"false-positive rate on legitimate items  {result['false_positive_rate']:.3%}"
        f"  ({round(result['false_positive_rate'] * result['legitimate'])} of {result['legitimate']})",
        f"{'category':<20}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}",
    ]
    for code, c in result["categories"].items():
        lines.append(f"{code:<20}{c['precision']:>7.3f}{c['recall']:>7.3f}{c['f1']:>7.3f}{c['support']:>5}")
    lines.append(f"macro-F1  {result['macro_f1']:.3f}")
    lines.append(f"throughput  {result['texts_per_second']:.0f} texts/s (one process, one thread)")
    if load_seconds is not None:
        lines.append(f"model load time  {load_seconds * 1000:.0f} ms")
    return "\n".join(lines)
