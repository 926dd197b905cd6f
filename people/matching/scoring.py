"""Scoring two people's fields (``same_person``): the evidence of the names,
the phones and the addresses, its log-odds weights, the caps that keep a name
alone from deciding, and the reasons shown to staff. See ``people.matching``."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import get_language, gettext

from mamoru.lib.japanese import is_kana
from mamoru.lib.variants import VARIANTS

from .keys import LATIN, PersonFields, Prepared, prepare
from .keys import kana_loose_cached as _kana_loose


@lru_cache(maxsize=512)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def _(message: str) -> str:
    """gettext, remembered per language: a lookup scores dozens of candidates
    with the same few reasons."""
    return _translated(get_language(), message)


PRIOR = -2.0
SAME_THRESHOLD = 0.8
POSSIBLE_THRESHOLD = 0.5


@dataclass(frozen=True)
class MatchDecision:
    """Whether two sets of fields are the same person, how sure, and why."""

    same: bool
    score: float  # 0.0–1.0
    reasons: tuple[str, ...]


def _one_edit_apart(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + 1 :] == b[i + 1 :] if len(a) == len(b) else a[i:] == b[i + 1 :]


# Name evidence (log-odds weights); see the module docstring.
_NAME_EXACT = 3.0
_NAME_READING_GIVEN = 2.5
_NAME_READING_GUESS = 1.8
_NAME_SAME_READING = 0.8
_NAME_CLOSE = 0.8
_NAME_UNCERTAIN = -1.0
_NAME_DIFFERENT = -6.0


def _loose_set(readings: Iterable[str]) -> set[str]:
    return {_kana_loose(reading) for reading in readings if reading}


def _compare_names(a: Prepared, b: Prepared, reasons: list[str]) -> tuple[float, bool | None]:
    """(weight, whether the names may be one person's: True, False, or None
    when they may be only if both the phone and the address agree)."""
    if not a.name or not b.name:
        if a.given and b.given and _kana_loose(a.given) == _kana_loose(b.given):
            reasons.append(_("氏名がないため、ふりがなのみ一致"))
            return 1.0, False
        reasons.append(_("氏名が片方にないため氏名では比較できない"))
        return 0.0, False
    if a.name == b.name:
        folded = sorted(set(a.variants) | set(b.variants))
        if folded:
            shown = "、".join(_("「{variant}」を「{common}」").format(variant=v, common=VARIANTS[v]) for v in folded)
            reasons.append(_("氏名が一致（異体字{pairs}として比較）").format(pairs=shown))
        elif a.raw_name != b.raw_name:
            reasons.append(_("氏名が一致（全角・半角・カタカナ・空白などの表記の違いを除く）"))
        else:
            reasons.append(_("氏名が一致"))
        weight = _NAME_EXACT
        if a.given and b.given and not (is_kana(a.name) or is_kana(b.name)):
            if _kana_loose(a.given) == _kana_loose(b.given):
                reasons.append(_("ふりがなも一致"))
                weight += 0.3
            else:
                reasons.append(_("ふりがなが異なる"))
                weight -= 1.5
        return weight, True
    if LATIN.search(a.name) or LATIN.search(b.name):
        reasons.append(_("氏名が異なる"))
        return _NAME_DIFFERENT, False

    # Readings: a given one (kana field, or a name written in kana) is what the
    # person said; one guessed from kanji may be wrong (中田: なかた/なかだ).
    given_agree = bool(a.given and b.given and _kana_loose(a.given) == _kana_loose(b.given))
    a_all = _loose_set([a.given, *a.guesses])
    b_all = _loose_set([b.given, *b.guesses])
    any_agree = bool(a_all & b_all)
    if is_kana(a.name) or is_kana(b.name):
        # One name is written in kana: the reading is all there is to compare.
        if given_agree:
            reasons.append(_("読みが一致（かな書きの氏名とふりがな）"))
            return _NAME_READING_GIVEN, True
        if any_agree:
            reasons.append(_("読みが一致（氏名の漢字からの推定。読みは複数ありうるため弱い根拠）"))
            return _NAME_READING_GUESS, True
        if a.given and b.given:
            x, y = _kana_loose(a.given), _kana_loose(b.given)
            if len(x) >= 6 and _one_edit_apart(x, y):
                reasons.append(_("氏名のかなが1文字だけ異なる（誤記か家族か判断できない）"))
                return _NAME_CLOSE, False
            reasons.append(_("氏名が異なる"))
            return _NAME_DIFFERENT, False
        if not a_all or not b_all:
            reasons.append(_("氏名の読みを推定できないため、かな書きの氏名と比較できない"))
            return _NAME_UNCERTAIN, False
        reasons.append(_("読みが一致しない（漢字からの推定の読みと比較したため別人とは断定しない）"))
        return _NAME_UNCERTAIN, False
    # Both names in kanji, and they differ.
    if given_agree and len(a.name) == len(b.name) and _one_edit_apart(a.name, b.name):
        reasons.append(_("氏名の漢字が1文字異なるが、ふりがなが一致（誤記の可能性）"))
        return _NAME_SAME_READING, None
    if any_agree:
        reasons.append(_("氏名の漢字は異なるが読みが一致（誤記の可能性。同一人物とはしない）"))
        return _NAME_SAME_READING, False
    reasons.append(_("氏名が異なる"))
    return _NAME_DIFFERENT, False


def _compare_phones(a: Prepared, b: Prepared, reasons: list[str]) -> tuple[float, bool]:
    if not a.phones or not b.phones:
        return 0.0, False
    if set(a.phones) & set(b.phones):
        reasons.append(_("電話番号が一致"))
        return 3.0, True
    for x in a.phones:
        for y in b.phones:
            short, long = sorted((x, y), key=len)
            if len(short) >= 6 and len(long) - len(short) >= 1 and long.endswith(short) and not short.startswith("0"):
                reasons.append(_("電話番号が一致（市外局番の有無を除く）"))
                return 2.0, True
    reasons.append(_("電話番号が異なる"))
    return -1.0, False


_CORE = re.compile(r"^(.*?\d+(?:-\d+)*)(.*)$")


def _split_address(address: str) -> tuple[str, str]:
    """(street part up to its last number, the rest: building and room)."""
    match = _CORE.match(address)
    if not match:
        return address, ""
    return match.group(1), match.group(2).strip("-")


_CITY = re.compile(r"^[^\d\-]{2,5}?市(?=[^\d\-])")


def _same_place(x: str, y: str) -> str:
    """ "equal", "omitted" (one leaves out the city), "coarser" (one stops
    earlier: 本町1-4 and 本町1-4-1) or ""."""
    if x == y:
        return "equal"
    x_local, y_local = _CITY.sub("", x), _CITY.sub("", y)
    if x_local != x and y_local != y and x[: len(x) - len(x_local)] != y[: len(y) - len(y_local)]:
        return ""  # two different cities
    if x_local == y_local:
        return "omitted"
    short, long = sorted((x_local, y_local), key=len)
    if re.search(r"\d", short) and long.startswith(short + "-"):
        return "coarser"
    short, long = sorted((x, y), key=len)
    if not re.search(r"\d", short) or len(short) < 4:
        return ""
    if long.endswith(short):
        return "omitted"
    if long.startswith(short + "-"):
        return "coarser"
    return ""


def _compare_addresses(a: Prepared, b: Prepared, reasons: list[str]) -> tuple[float, bool]:
    if not a.address or not b.address:
        return 0.0, False
    if a.address == b.address:
        if a.raw_address == b.raw_address:
            reasons.append(_("住所が一致"))
        else:
            reasons.append(_("住所が一致（表記の違いを除く）"))
        return 2.5, True
    a_core, a_rest = _split_address(a.address)
    b_core, b_rest = _split_address(b.address)
    place = _same_place(a_core, b_core)
    if place:
        if a_rest and b_rest and a_rest != b_rest:
            reasons.append(_("住所の番地は一致するが、建物名・部屋番号が異なる"))
            return -0.5, False
        if place == "omitted":
            reasons.append(_("住所が一致（市町村名の省略・表記の違いを除く）"))
            return 2.0, True
        if place == "coarser":
            reasons.append(_("住所がほぼ一致（片方の番地が詳しい）"))
            return 1.5, True
        reasons.append(_("住所がほぼ一致（建物名・部屋番号の有無）"))
        return 1.5, True
    reasons.append(_("住所が異なる（転居の可能性あり）"))
    return -1.0, False


def _logistic(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


def same_person(a: PersonFields, b: PersonFields) -> MatchDecision:
    """Whether ``a`` and ``b`` are the same person; see the module docstring."""
    return decide(prepare(a), prepare(b))


def decide(pa: Prepared, pb: Prepared) -> MatchDecision:
    reasons: list[str] = []
    name_weight, names_agree = _compare_names(pa, pb, reasons)
    phone_weight, phone_backs = _compare_phones(pa, pb, reasons)
    address_weight, address_backs = _compare_addresses(pa, pb, reasons)
    score = _logistic(PRIOR + name_weight + phone_weight + address_weight)
    if names_agree is None:
        # One kanji apart with the same given reading (斉藤/斎藤 さいとう): a typo of
        # one name, since no two people of one household share a full reading.
        names_agree = phone_backs or address_backs
    if score >= SAME_THRESHOLD and not names_agree:
        score = min(score, SAME_THRESHOLD - 0.01)
        reasons.append(_("氏名が一致しないため同一人物とはしない"))
    elif score >= SAME_THRESHOLD and not (phone_backs or address_backs):
        score = min(score, SAME_THRESHOLD - 0.01)
    if names_agree and not (phone_backs or address_backs):
        reasons.append(_("電話番号・住所による裏付けがないため同一人物とはしない（同姓同名の可能性）"))
    score = round(score, 3)
    return MatchDecision(same=score >= SAME_THRESHOLD, score=score, reasons=tuple(reasons))
