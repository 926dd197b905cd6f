"""Normalising Japanese text for search and matching.

NFKC folds full-width alphanumerics and half-width katakana; katakana is
folded to hiragana for kana comparison; runs of white space (including the
ideographic space) collapse.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
_PHONE_DIGITS = re.compile(r"\d")


def normalize(text: str | None) -> str:
    """NFKC, lower case, single spaces, trimmed."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def normalize_compact(text: str | None) -> str:
    """``normalize`` with every space removed: for names typed with or without one."""
    return normalize(text).replace(" ", "")


def to_hiragana(text: str | None) -> str:
    return normalize_compact(text).translate(_KATAKANA_TO_HIRAGANA)


def phone_digits(text: str | None) -> str:
    """Digits of a phone number; +81 becomes the domestic leading 0."""
    digits = "".join(_PHONE_DIGITS.findall(unicodedata.normalize("NFKC", text or "")))
    if (text or "").strip().startswith(("+81", "＋８１")) and digits.startswith("81"):
        digits = "0" + digits[2:]
    return digits
