#!/usr/bin/env python3
"""Build the labelled assessment corpus from the hand-written parts.

Reads every ``parts/*.txt`` file (one item per line, see README.md for the
format), validates the items, assigns ids and a group-stratified train/test
split, and writes ``corpus.jsonl`` and ``stats.json`` next to this script.

Ids and splits are frozen: an item whose text is already in ``corpus.jsonl``
keeps its id and split, and only new scenario groups are assigned (so adding
items never moves a held-out test item into train). ``--reassign`` recomputes
every id and split from scratch.

Python 3.11 standard library only. Exits non-zero on any validation error.

    python3 data/assessment/build.py              # build and write
    python3 data/assessment/build.py --check      # validate only, write nothing
    python3 data/assessment/build.py --reassign   # fresh ids and splits
    python3 data/assessment/build.py -v           # also list near-duplicates
"""

from __future__ import annotations

import json
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = HERE / "parts"
CORPUS = HERE / "corpus.jsonl"
STATS = HERE / "stats.json"

# Category codes (policy order) and the short tags used in the part files.
CODES = {
    "LD": "long_detention",
    "RP": "repetition",
    "VI": "violence",
    "VA": "verbal_abuse",
    "NP": "nitpicking",
    "TH": "threat",
    "AU": "authority",
    "SN": "sns_post",
    "SX": "sexual_harassment",
    "OB": "obstruction",
    "EX": "excessive_demand",
}
ORDER = list(CODES.values())

FORMS = {
    "N": "staff_note",  # third-person staff record, often with times
    "Q": "resident_quote",  # the resident's words as quoted by staff
    "P": "phone_summary",  # 電話要旨
    "E": "email",  # e-mail body written by the resident
    "L": "letter",  # letter / 文書
    "C": "chat",  # online form or chat message
    "S": "sns_report",  # staff description of an SNS post / flyer / web page
    "R": "supervisor_report",  # supervisor's or section chief's report
}

DEPARTMENTS = [
    "市民課",
    "税務課",
    "福祉課",
    "子育て支援課",
    "環境課",
    "建設課",
    "上下水道課",
    "保険年金課",
    "教育総務課",
    "総務課",
    "介護保険",
    "ごみ収集",
    "道路",
    "学校",
]

MIN_TOTAL = 1600
MIN_PER_CATEGORY = 100
MIN_TEST_PER_CATEGORY = 20
MIN_LEGIT_SHARE = 0.40
TEST_SHARE = 0.25
SEED = 20251219
NEAR_DUP_JACCARD = 0.75  # character-trigram Jaccard treated as a near duplicate


class BuildError(Exception):
    pass


def normalise(text: str) -> str:
    """Text used for duplicate detection only (the stored text is untouched)."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"[\s。、，．・「」『』（）()!！?？…ー〜~]", "", t)
    return t


def trigrams(text: str) -> set[str]:
    t = normalise(text)
    return {t[i : i + 3] for i in range(max(1, len(t) - 2))}


def read_parts() -> list[dict]:
    files = sorted(PARTS.glob("*.txt"))
    if not files:
        raise BuildError(f"no part files in {PARTS}")
    items: list[dict] = []
    errors: list[str] = []
    for path in files:
        for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = f"{path.name}:{lineno}"
            fields = line.split("|", 4)
            if len(fields) != 5:
                errors.append(f"{where}: expected 5 '|'-separated fields")
                continue
            group, tags, form, dept, text = (f.strip() if i < 4 else f for i, f in enumerate(fields))
            text = text.strip().replace("\\n", "\n")
            if tags == "-":
                cats: list[str] = []
            else:
                cats = []
                for tag in tags.split("+"):
                    if tag not in CODES:
                        errors.append(f"{where}: unknown category tag {tag!r}")
                        continue
                    if CODES[tag] in cats:
                        errors.append(f"{where}: category {tag} given twice")
                    cats.append(CODES[tag])
            if form not in FORMS:
                errors.append(f"{where}: unknown form {form!r}")
                continue
            if dept not in DEPARTMENTS:
                errors.append(f"{where}: unknown department {dept!r}")
                continue
            if len(text) < 8:
                errors.append(f"{where}: text too short")
            if "|" in text:
                errors.append(f"{where}: text contains '|'")
            stem = path.stem
            items.append(
                {
                    "text": text,
                    "is_harassment": bool(cats),
                    "categories": sorted(cats, key=ORDER.index),
                    "form": FORMS[form],
                    "department": dept,
                    # A blank group means the line is a scenario of its own.
                    "_group": f"{stem}:{group}" if group else f"{stem}:L{lineno}",
                    "_where": where,
                }
            )
    if errors:
        raise BuildError("\n".join(errors))
    return items


def check_duplicates(items: list[dict]) -> list[str]:
    errors: list[str] = []
    seen: dict[str, str] = {}
    for it in items:
        key = normalise(it["text"])
        if key in seen:
            errors.append(f"{it['_where']}: duplicate text of {seen[key]}")
        else:
            seen[key] = it["_where"]
    return errors


def near_duplicates(items: list[dict]) -> list[tuple[dict, dict, float]]:
    """Pairs of items from different groups whose texts are nearly the same."""
    grams = [trigrams(it["text"]) for it in items]
    index: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for tri in g:
            index[tri].append(i)
    pairs = []
    for i, g in enumerate(grams):
        shared: Counter[int] = Counter()
        for tri in g:
            for j in index[tri]:
                if j > i:
                    shared[j] += 1
        for j, n in shared.items():
            jac = n / (len(g) + len(grams[j]) - n)
            if jac >= NEAR_DUP_JACCARD and items[i]["_group"] != items[j]["_group"]:
                pairs.append((items[i], items[j], jac))
    return pairs


def merge_near_duplicate_groups(items: list[dict], pairs) -> None:
    """Near-duplicate texts must land in the same split: merge their groups."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b, _ in pairs:
        ra, rb = find(a["_group"]), find(b["_group"])
        if ra != rb:
            parent[rb] = ra
    for it in items:
        it["_group"] = find(it["_group"])


def load_previous() -> dict[str, dict]:
    """normalised text -> {"id", "split"} from an existing corpus.jsonl."""
    if not CORPUS.exists():
        return {}
    prev = {}
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            prev[normalise(row["text"])] = {"id": row["id"], "split": row["split"]}
    return prev


def apply_previous(items: list[dict], prev: dict[str, dict]) -> dict[str, str]:
    """Reuse ids of unchanged texts; return group -> split for frozen groups."""
    frozen: dict[str, str] = {}
    errors = []
    for it in items:
        old = prev.get(normalise(it["text"]))
        if not old:
            continue
        it["id"] = old["id"]
        g = it["_group"]
        if frozen.setdefault(g, old["split"]) != old["split"]:
            errors.append(f"{it['_where']}: group {g} has members in both splits; rebuild with --reassign")
    if errors:
        raise BuildError("\n".join(errors))
    used = {it["id"] for it in items if "id" in it}
    n = max((int(i[1:]) for i in used), default=0)
    for it in items:
        if "id" not in it:
            n += 1
            it["id"] = f"a{n:04d}"
    return frozen


def label_keys(it: dict) -> list[str]:
    return it["categories"] or ["_legitimate"]


def assign_splits(items: list[dict], frozen: dict[str, str] | None = None) -> None:
    """Greedy iterative stratification over scenario groups.

    Each group goes wholly to train or test. Groups are visited with the ones
    carrying the rarest labels first; each is put in the split whose share of
    those labels is furthest below its target (25 % test, 75 % train).
    ``frozen`` maps group -> split for groups fixed by an earlier build.
    """
    frozen = frozen or {}
    groups: dict[str, list[dict]] = defaultdict(list)
    for it in items:
        groups[it["_group"]].append(it)
    totals: Counter[str] = Counter()
    for it in items:
        totals.update(label_keys(it))
    target = {
        "test": {k: v * TEST_SHARE for k, v in totals.items()},
        "train": {k: v * (1 - TEST_SHARE) for k, v in totals.items()},
    }
    size_target = {"test": len(items) * TEST_SHARE, "train": len(items) * (1 - TEST_SHARE)}
    current = {"test": Counter(), "train": Counter()}
    size = {"test": 0, "train": 0}

    for name, split in frozen.items():
        for it in groups[name]:
            it["split"] = split
            current[split].update(label_keys(it))
            size[split] += 1

    rng = random.Random(SEED)
    names = sorted(g for g in groups if g not in frozen)
    rng.shuffle(names)

    def rarity(name: str) -> float:
        labels = Counter()
        for it in groups[name]:
            labels.update(label_keys(it))
        return min(totals[k] for k in labels)

    names.sort(key=rarity)  # stable: random order within equal rarity
    for name in names:
        members = groups[name]
        labels: Counter[str] = Counter()
        for it in members:
            labels.update(label_keys(it))

        def need(split: str, labels: Counter[str] = labels) -> tuple[float, float]:
            label_need = sum(n * (target[split][k] - current[split][k]) / target[split][k] for k, n in labels.items())
            size_need = (size_target[split] - size[split]) / size_target[split]
            return (label_need, size_need)

        split = max(("test", "train"), key=need)
        for it in members:
            it["split"] = split
        current[split].update(labels)
        size[split] += len(members)


def build_stats(items: list[dict]) -> dict:
    splits = ["train", "test"]
    per_cat = {c: {s: 0 for s in splits} for c in ORDER}
    legit = {s: 0 for s in splits}
    n_split = Counter(it["split"] for it in items)
    for it in items:
        for c in it["categories"]:
            per_cat[c][it["split"]] += 1
        if not it["categories"]:
            legit[it["split"]] += 1
    for c in ORDER:
        per_cat[c]["total"] = per_cat[c]["train"] + per_cat[c]["test"]
        per_cat[c]["test_share"] = round(per_cat[c]["test"] / per_cat[c]["total"], 3) if per_cat[c]["total"] else 0
    n_labels = Counter(len(it["categories"]) for it in items if it["categories"])
    lengths = [len(it["text"]) for it in items]
    return {
        "total": len(items),
        "splits": {s: n_split[s] for s in splits},
        "harassment": sum(1 for it in items if it["categories"]),
        "legitimate": {
            "train": legit["train"],
            "test": legit["test"],
            "total": legit["train"] + legit["test"],
            "share": round((legit["train"] + legit["test"]) / len(items), 3),
            "test_share": round(legit["test"] / max(1, legit["train"] + legit["test"]), 3),
        },
        "categories": per_cat,
        "labels_per_harassment_item": {str(k): v for k, v in sorted(n_labels.items())},
        "scenario_groups": len({it["_group"] for it in items}),
        "forms": dict(Counter(it["form"] for it in items).most_common()),
        "departments": dict(Counter(it["department"] for it in items).most_common()),
        "text_length": {
            "mean": round(sum(lengths) / len(lengths), 1),
            "min": min(lengths),
            "max": max(lengths),
            "mean_harassment": round(
                sum(len(it["text"]) for it in items if it["categories"])
                / max(1, sum(1 for it in items if it["categories"])),
                1,
            ),
            "mean_legitimate": round(
                sum(len(it["text"]) for it in items if not it["categories"])
                / max(1, sum(1 for it in items if not it["categories"])),
                1,
            ),
        },
    }


def validate_counts(items: list[dict], stats: dict) -> list[str]:
    errors = []
    if stats["total"] < MIN_TOTAL:
        errors.append(f"only {stats['total']} items (< {MIN_TOTAL})")
    for c, row in stats["categories"].items():
        if row["total"] < MIN_PER_CATEGORY:
            errors.append(f"{c}: {row['total']} positives (< {MIN_PER_CATEGORY})")
        if row["test"] < MIN_TEST_PER_CATEGORY:
            errors.append(f"{c}: {row['test']} test positives (< {MIN_TEST_PER_CATEGORY})")
    if stats["legitimate"]["share"] < MIN_LEGIT_SHARE:
        errors.append(f"legitimate share {stats['legitimate']['share']} (< {MIN_LEGIT_SHARE})")
    # Every group must sit wholly in one split.
    split_of: dict[str, set] = defaultdict(set)
    for it in items:
        split_of[it["_group"]].add(it["split"])
    for g, s in split_of.items():
        if len(s) > 1:
            errors.append(f"group {g} spans splits {sorted(s)}")
    ids = [it["id"] for it in items]
    if len(ids) != len(set(ids)):
        errors.append("ids are not unique")
    for it in items:
        if it["is_harassment"] != bool(it["categories"]):
            errors.append(f"{it['id']}: is_harassment inconsistent with categories")
        if any(c not in ORDER for c in it["categories"]):
            errors.append(f"{it['id']}: invalid category code")
    return errors


def print_summary(stats: dict, near: list) -> None:
    print(f"items: {stats['total']}  train: {stats['splits']['train']}  test: {stats['splits']['test']}")
    print(f"harassment: {stats['harassment']}  scenario groups: {stats['scenario_groups']}")
    lg = stats["legitimate"]
    print(f"legitimate: {lg['total']} ({lg['share']:.1%}); test {lg['test']} ({lg['test_share']:.1%})")
    print(f"{'category':<20}{'train':>7}{'test':>7}{'total':>7}{'test%':>8}")
    for c, row in stats["categories"].items():
        print(f"{c:<20}{row['train']:>7}{row['test']:>7}{row['total']:>7}{row['test_share']:>8.1%}")
    print("labels per harassment item:", stats["labels_per_harassment_item"])
    print("forms:", stats["forms"])
    print("departments:", stats["departments"])
    print("text length:", stats["text_length"])
    print(f"near-duplicate pairs across scenarios (merged into one group): {len(near)}")
    print(f"items keeping the id/split of the previous corpus.jsonl: {stats.get('frozen_items', 0)}")


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    verbose = "-v" in argv
    try:
        items = read_parts()
        errors = check_duplicates(items)
        if errors:
            raise BuildError("\n".join(errors))
        near = near_duplicates(items)
        if verbose:
            for a, b, j in near:
                print(f"near-dup {j:.2f}: {a['_where']} ~ {b['_where']}")
        merge_near_duplicate_groups(items, near)
        if "--reassign" in argv:
            for n, it in enumerate(items, 1):
                it["id"] = f"a{n:04d}"
            frozen: dict[str, str] = {}
        else:
            frozen = apply_previous(items, load_previous())
        assign_splits(items, frozen)
        items.sort(key=lambda it: it["id"])
        stats = build_stats(items)
        stats["frozen_items"] = sum(1 for it in items if it["_group"] in frozen)
        errors = validate_counts(items, stats)
        print_summary(stats, near)
        if errors:
            raise BuildError("\n".join(errors))
    except BuildError as exc:
        print("VALIDATION FAILED:\n" + str(exc), file=sys.stderr)
        return 1
    if check_only:
        print("OK (check only, nothing written)")
        return 0
    keys = ["id", "text", "is_harassment", "categories", "form", "department", "split"]
    with CORPUS.open("w", encoding="utf-8") as fh:
        for it in items:
            fh.write(json.dumps({k: it[k] for k in keys}, ensure_ascii=False) + "\n")
    STATS.write_text(json.dumps(stats, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {CORPUS.relative_to(HERE.parent.parent)} and {STATS.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
