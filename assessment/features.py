"""Text preparation for the classifier: normalisation that remembers where each
character came from, so evidence can always be cut from the original text."""

from __future__ import annotations

import re
import unicodedata

# The longest text the classifier reads; longer input is cut (and reported).
MAX_CHARS = 20_000

_SENTENCE_END = re.compile(r"[。！？!?\n]+")


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """NFKC and lower case, one original character at a time.

    Returns the normalised text and, for each of its characters, the index of
    the original character it came from. Runs of white space collapse to one
    space. Half-width kana with a separate voicing mark stay two characters;
    the corpus has both forms, so the model sees them in training too."""
    out: list[str] = []
    origin: list[int] = []
    previous_space = True
    for index, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char).lower()
        for part in piece:
            if part.isspace():
                if previous_space:
                    continue
                part = " "
                previous_space = True
            else:
                previous_space = False
            out.append(part)
            origin.append(index)
    return "".join(out), origin


def normalize(text: str) -> str:
    return normalize_with_map(text)[0]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, without the closing marks."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def clean_input(text) -> tuple[str, list[str]]:
    """Coerce anything given as a text to a string the classifier can read.

    Returns the text and warnings (in Japanese, for the user)."""
    warnings = []
    if text is None:
        text = ""
    if not isinstance(text, str):
        text = str(text)
        warnings.append("text が文字列ではないため、文字列に変換しました")
    # Lone surrogates (from broken JSON escapes) cannot be encoded: drop them.
    text = text.encode("utf-8", "replace").decode("utf-8")
    if len(text) > MAX_CHARS:
        warnings.append(f"text が長すぎるため、先頭の{MAX_CHARS:,}文字だけを判定しました")
        text = text[:MAX_CHARS]
    if not text.strip():
        warnings.append("text が空です")
    return text, warnings
