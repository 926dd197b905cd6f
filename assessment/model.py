"""The text classifier: character n-gram TF-IDF with one logistic regression
per policy category and one for "harassment at all".

Training uses scikit-learn; the saved model is plain arrays (vocabulary, idf,
weights, thresholds), so predicting needs only NumPy and every score can be
explained by the n-grams that produced it. See assessment/README.md for why."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .features import clean_input, normalize_with_map

MODEL_PATH = Path(__file__).resolve().parent / "trained" / "model.joblib"
HARASSMENT = "_harassment"  # the row of the "harassment at all" model


@dataclass
class Config:
    ngram_min: int = 1
    ngram_max: int = 3
    min_df: int = 2
    c_category: float = 30.0
    c_harassment: float = 30.0
    seed: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def ngrams(text: str, low: int, high: int):
    """(gram, start) for every character n-gram of ``text``; spaces end grams."""
    length = len(text)
    for start in range(length):
        if text[start] == " ":
            continue
        for n in range(low, high + 1):
            end = start + n
            if end > length:
                break
            gram = text[start:end]
            if " " in gram[1:]:
                break
            yield gram, start


def _is_word_char(char: str) -> bool:
    """Letters, digits and kana/kanji; not punctuation, symbols or spaces."""
    return bool(char) and unicodedata.category(char)[0] in ("L", "N")


@dataclass
class Prediction:
    is_harassment: bool
    harassment_score: float
    categories: list[str]
    scores: dict[str, float]
    evidence: dict[str, list[str]]
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def as_json(self, item_id) -> dict:
        data = {
            "id": item_id,
            "is_harassment": self.is_harassment,
            "categories": self.categories,
            "scores": self.scores,
            "evidence": self.evidence,
        }
        if self.warnings:
            data["warnings"] = self.warnings
        return data


class TextClassifier:
    """A trained model. Build one with ``train`` or ``load``."""

    def __init__(self, *, codes, vocabulary, idf, weights, bias, thresholds, config, info=None):
        self.codes: list[str] = list(codes)
        self.vocabulary: dict[str, int] = vocabulary
        self.idf = np.asarray(idf, dtype=np.float32)
        self.weights = np.asarray(weights, dtype=np.float32)  # (len(codes) + 1, features)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.thresholds: dict[str, float] = dict(thresholds)
        self.config = config if isinstance(config, Config) else Config(**config)
        self.info = info or {}

    # -- features -----------------------------------------------------------
    def _vector(self, normalized: str) -> tuple[np.ndarray, np.ndarray]:
        counts: Counter = Counter()
        vocabulary = self.vocabulary
        for gram, _start in ngrams(normalized, self.config.ngram_min, self.config.ngram_max):
            index = vocabulary.get(gram)
            if index is not None:
                counts[index] += 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        values = (1.0 + np.log(tf)) * self.idf[indices]
        values /= np.linalg.norm(values) or 1.0
        return indices, values

    def _raw_scores(self, indices, values) -> np.ndarray:
        logits = self.weights[:, indices] @ values + self.bias if len(indices) else self.bias.copy()
        return 1.0 / (1.0 + np.exp(-logits))

    # -- prediction ---------------------------------------------------------
    def predict(self, text, *, evidence: bool = True) -> Prediction:
        text, warnings = clean_input(text)
        normalized, origin = normalize_with_map(text)
        indices, values = self._vector(normalized)
        probabilities = self._raw_scores(indices, values)
        harassment_score = float(probabilities[-1])
        scores = {code: round(float(p), 4) for code, p in zip(self.codes, probabilities[:-1], strict=True)}
        categories: list[str] = []
        if harassment_score >= self.thresholds[HARASSMENT]:
            categories = [code for code in self.codes if scores[code] >= self.thresholds[code]]
            if not categories:
                categories = [max(self.codes, key=lambda code: scores[code] / self.thresholds[code])]
        found: dict[str, list[str]] = {}
        spans: dict[str, list[tuple[int, int]]] = {}
        if evidence and categories:
            weights = dict(zip(indices.tolist(), values.tolist(), strict=True))
            for code in categories:
                code_spans = self._evidence_spans(normalized, origin, weights, self.codes.index(code))
                spans[code] = code_spans
                found[code] = [text[a:b] for a, b in code_spans]
        return Prediction(
            is_harassment=bool(categories),
            harassment_score=round(harassment_score, 4),
            categories=categories,
            scores=scores,
            evidence=found,
            spans=spans,
            warnings=warnings,
        )

    def predict_many(self, texts, *, evidence: bool = True) -> list[Prediction]:
        return [self.predict(text, evidence=evidence) for text in texts]

    def _evidence_spans(self, normalized, origin, weights, row, *, limit=2) -> list[tuple[int, int]]:
        """The phrases (original-text spans) whose n-grams push ``row`` up most.

        Each n-gram's contribution (tf-idf value × weight) is spread over its
        characters; runs of characters with a clearly positive share are the
        candidate phrases, ranked by their total."""
        coefficients = self.weights[row]
        per_char = np.zeros(len(normalized), dtype=np.float32)
        for gram, start in ngrams(normalized, self.config.ngram_min, self.config.ngram_max):
            index = self.vocabulary.get(gram)
            if index is None or index not in weights:
                continue
            share = weights[index] * coefficients[index] / len(gram)
            per_char[start : start + len(gram)] += share
        if not len(per_char) or per_char.max() <= 0:
            return []
        cut = per_char.max() * 0.25
        runs = []
        start = None
        for position, value in enumerate([*per_char.tolist(), -1.0]):
            if value > cut and _is_word_char(normalized[position : position + 1]):
                if start is None:
                    start = position
            elif start is not None:
                runs.append((float(per_char[start:position].sum()), start, position))
                start = None
        runs.sort(reverse=True)
        chosen = []
        for _total, first, last in runs[:limit]:
            if last - first < 2:  # a lone character is no evidence to show
                continue
            chosen.append((origin[first], origin[last - 1] + 1))
        return sorted(chosen)

    # -- persistence --------------------------------------------------------
    def save(self, path: Path = MODEL_PATH) -> str:
        import joblib

        terms = [""] * len(self.vocabulary)
        for term, index in self.vocabulary.items():
            terms[index] = term
        payload = {
            "format": 1,
            "codes": self.codes,
            "terms": terms,
            "idf": self.idf.astype(np.float32),
            "weights": self.weights.astype(np.float16),
            "bias": self.bias.astype(np.float32),
            "thresholds": self.thresholds,
            "config": self.config.as_dict(),
            "info": self.info,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(payload, path, compress=("xz", 6))
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> TextClassifier:
        import joblib

        payload = joblib.load(path)
        if payload.get("format") != 1:
            raise ValueError(f"対応していないモデル形式です: {path}")
        return cls(
            codes=payload["codes"],
            vocabulary={term: index for index, term in enumerate(payload["terms"])},
            idf=payload["idf"],
            weights=payload["weights"].astype(np.float32),
            bias=payload["bias"],
            thresholds=payload["thresholds"],
            config=payload["config"],
            info=payload["info"],
        )


# -- training -----------------------------------------------------------------
def _fit_rows(texts, labels: np.ndarray, config: Config):
    """Fit the vectoriser and one logistic regression per column of ``labels``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    def analyzer(text):
        return [gram for gram, _ in ngrams(normalize_with_map(text)[0], config.ngram_min, config.ngram_max)]

    vectorizer = TfidfVectorizer(analyzer=analyzer, min_df=config.min_df, sublinear_tf=True, dtype=np.float32)
    matrix = vectorizer.fit_transform(texts)
    weights, bias = [], []
    for column in range(labels.shape[1]):
        c = config.c_harassment if column == labels.shape[1] - 1 else config.c_category
        y = labels[:, column]
        if y.min() == y.max():  # a category absent from a tiny training set
            weights.append(np.zeros(matrix.shape[1], dtype=np.float32))
            bias.append(-10.0 if y.max() == 0 else 10.0)
            continue
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=config.seed)
        model.fit(matrix, y)
        weights.append(model.coef_[0].astype(np.float32))
        bias.append(float(model.intercept_[0]))
    return vectorizer, np.vstack(weights), np.asarray(bias, dtype=np.float32)


def label_matrix(items, codes) -> np.ndarray:
    labels = np.zeros((len(items), len(codes) + 1), dtype=np.int64)
    for row, item in enumerate(items):
        for code in item["categories"]:
            if code in codes:
                labels[row, codes.index(code)] = 1
        labels[row, -1] = 1 if item["categories"] else 0
    return labels


def fit(items, codes, config: Config, thresholds=None, info=None) -> TextClassifier:
    texts = [item["text"] for item in items]
    vectorizer, weights, bias = _fit_rows(texts, label_matrix(items, codes), config)
    return TextClassifier(
        codes=codes,
        vocabulary={term: int(index) for term, index in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_,
        weights=weights,
        bias=bias,
        thresholds=thresholds or {code: 0.5 for code in [*codes, HARASSMENT]},
        config=config,
        info=info,
    )


def out_of_fold_scores(items, codes, config: Config, *, folds: int = 5) -> np.ndarray:
    """Scores for every item from a model that did not see it (stratified folds)."""
    from sklearn.model_selection import StratifiedKFold

    labels = label_matrix(items, codes)
    # Stratify on the rarest label an item carries, or "legitimate".
    strata = [min(item["categories"], key=codes.index) if item["categories"] else "-" for item in items]
    scores = np.zeros(labels.shape, dtype=np.float32)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    for train_rows, test_rows in splitter.split(np.zeros(len(items)), strata):
        model = fit([items[i] for i in train_rows], codes, config)
        for row in test_rows:
            indices, values = model._vector(normalize_with_map(items[row]["text"])[0])
            scores[row] = model._raw_scores(indices, values)
    return scores


def choose_thresholds(scores: np.ndarray, labels: np.ndarray, codes, *, max_fpr: float = 0.03) -> dict[str, float]:
    """Thresholds from out-of-fold scores: per category the best F1; for
    "harassment at all" the best F1 among those keeping false alarms on
    legitimate items at or below ``max_fpr``."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    thresholds = {}
    for column, code in enumerate(codes):
        best = max(grid, key=lambda t: (_f1(scores[:, column] >= t, labels[:, column] == 1), -abs(t - 0.5)))
        thresholds[code] = float(best)
    y = labels[:, -1] == 1
    allowed = [t for t in grid if ((scores[:, -1] >= t) & ~y).sum() <= max_fpr * (~y).sum()] or [0.95]
    thresholds[HARASSMENT] = float(max(allowed, key=lambda t: (_f1(scores[:, -1] >= t, y), -t)))
    return thresholds


def _f1(predicted, actual) -> float:
    tp = float((predicted & actual).sum())
    fp = float((predicted & ~actual).sum())
    fn = float((~predicted & actual).sum())
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def train(items, codes, config: Config | None = None, *, folds: int = 5) -> TextClassifier:
    """Cross-validate on ``items`` to choose thresholds, then fit on all of them."""
    config = config or Config()
    labels = label_matrix(items, codes)
    if len(items) >= folds * 4:
        thresholds = choose_thresholds(out_of_fold_scores(items, codes, config, folds=folds), labels, codes)
    else:
        thresholds = {code: 0.5 for code in [*codes, HARASSMENT]}
    info = {
        "trained_on": len(items),
        "config": config.as_dict(),
        "thresholds": thresholds,
        "corpus_sha256": hashlib.sha256(
            json.dumps([[i["text"], i["categories"]] for i in items], ensure_ascii=False).encode()
        ).hexdigest()[:12],
    }
    return fit(items, codes, config, thresholds=thresholds, info=info)
