"""Finding the same person across records (名寄せ).

One matcher serves the resident pages, imports and the command line
(``python -m mamoru same-person``). It compares two sets of fields — name,
kana, one phone number, address — each of which may be missing.

Normalising (before anything is compared)
    NFKC (full-width and half-width, ideographic spaces), spaces removed,
    katakana as hiragana, variant kanji folded to their common form
    (``mamoru.lib.variants``: 髙→高, 﨑→崎, 邊/邉→辺, 齋→斎 …). Readings come from
    the kana field, or from a name written in kana; otherwise pykakasi guesses
    one from the folded kanji. A guess that does not cover every character is
    dropped (pykakasi reads 髙橋 as "" and 山﨑 as やまやま), and an empty
    reading never matches. Readings are compared loosely (voiced marks, small
    kana and long vowels folded: なかた = なかだ, さとう = さとー). Phones are
    compared as bare digits, +81 read as 0. Addresses lose the prefecture and
    大字, kanji numerals become digits and 丁目/番地/番/号/の become "-"
    (``mamoru.lib.japanese.address_compact``).

Scoring
    Evidence adds to a log-odds score that starts at ``PRIOR``:

    ======================================  =======
    氏名が一致 (after folding)               +3.0
    読みが一致, name written in kana         +2.5
    読みが一致, guessed from kanji           +1.8
    漢字は異なるが読みが一致                  +1.2 (+0.8 when a reading is guessed)
    かなの1文字違い                          +1.0
    ふりがなも一致 (bonus on 氏名が一致)      +0.3
    ふりがなが異なる (same kanji)             -1.5
    氏名が異なる                             -6.0
    電話番号が一致                           +3.0 (+2.0 without the area code)
    電話番号が異なる                         -1.0
    住所が一致                               +2.5 (+2.0 city left out,
                                                  +1.5 building or room added)
    同じ番地の別の部屋                        -0.5
    住所が異なる                             -1.0
    ======================================  =======

    ``score`` is the logistic of that sum. Two rules cap it below
    ``SAME_THRESHOLD`` whatever the sum: the names must agree (kanji, kana,
    or at least the reading), and a phone or an address must back the name
    up — a common name such as 佐藤 誠 alone is never enough, and a household
    that shares a phone and an address is told apart by the given name. Names
    one kanji apart with the same given reading (斉藤/斎藤) agree when a phone
    or an address backs them (a typo: no two people share a full reading). A
    pair is ``same`` when the score reaches ``SAME_THRESHOLD``; candidates
    between ``POSSIBLE_THRESHOLD`` and it are shown as 「可能性あり」.
    The thresholds were set on data/people/pairs.jsonl (see its README and
    ``python manage.py evaluate_matching``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from django.utils.translation import get_language, gettext

from mamoru.lib.japanese import (
    address_compact,
    is_kana,
    kana_compact,
    kana_loose,
    normalize,
    normalize_compact,
    phone_digits,
    reading_guesses,
    to_hiragana,
)
from mamoru.lib.variants import VARIANTS, fold_variants, variants_in

if TYPE_CHECKING:
    from .models import Resident


@lru_cache(maxsize=512)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def _(message: str) -> str:
    """gettext, remembered per language: a lookup scores dozens of candidates
    with the same few reasons."""
    return _translated(get_language(), message)


_kana_loose = lru_cache(maxsize=65536)(kana_loose)

PRIOR = -2.0
SAME_THRESHOLD = 0.8
POSSIBLE_THRESHOLD = 0.5
# Residents fetched per blocking key at most: a very common key must not turn
# a lookup into a scan.
BLOCK_LIMIT = 300

_HONORIFICS = ("様", "さま", "さん", "殿", "どの")
_PHONE_SPLIT = re.compile(r"[/／,，、;；]|または|又は")
_LATIN = re.compile(r"[a-z]")


@dataclass(frozen=True)
class PersonFields:
    """The fields compared for one person; any may be empty."""

    name: str = ""
    kana: str = ""
    phone: str = ""  # one number as written, any format
    address: str = ""

    @classmethod
    def of_resident(cls, resident) -> PersonFields:
        """A resident's fields, with its first phone number."""
        phones = list(resident.phones.all())
        return cls(
            name=resident.name or "",
            kana=resident.name_kana or "",
            phone=phones[0].number if phones else "",
            address=resident.address or "",
        )


@dataclass(frozen=True)
class MatchDecision:
    """Whether two sets of fields are the same person, how sure, and why."""

    same: bool
    score: float  # 0.0–1.0
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """A resident who may be the same person as the fields looked up."""

    resident: Resident
    decision: MatchDecision


# --- Keys ----------------------------------------------------------------------


def _strip_honorific(text: str) -> str:
    for honorific in _HONORIFICS:
        if text.endswith(honorific) and len(text) > len(honorific) + 1:
            return text[: -len(honorific)]
    return text


def name_key(name: str) -> str:
    """A name compared as one string: NFKC, no spaces, variants folded,
    katakana as hiragana; a name in Latin letters keeps its words, sorted
    (SMITH John = John Smith)."""
    text = normalize(name)
    if _LATIN.search(text):
        return " ".join(sorted(text.replace(",", " ").split()))
    return _strip_honorific(to_hiragana(fold_variants(text)))


def _given_reading(name_key_value: str, kana: str) -> str:
    kana = kana_compact(kana)
    if is_kana(kana):
        return kana
    if is_kana(name_key_value):
        return name_key_value
    return ""


@lru_cache(maxsize=65536)
def _guessed_readings(name: str) -> tuple[str, ...]:
    """Readings guessed from a name in kanji (variants folded first, so that
    pykakasi sees 高橋, not 髙橋); () for a name in kana or Latin letters."""
    folded = fold_variants(normalize(name))
    key = to_hiragana(folded)
    if not key or is_kana(key) or _LATIN.search(key):
        return ()
    return tuple(kana_compact(reading) for reading in reading_guesses(_strip_honorific(folded)))


def address_key(address: str) -> str:
    """An address written one way, variant kanji folded."""
    return fold_variants(address_compact(address))


def resident_match_keys(*, name: str, kana: str, address: str) -> dict[str, str]:
    """The keys stored on a resident for finding the same person: ``name_key``
    (folded name), ``reading_key`` (loose reading, from the kana or guessed
    from the name; "" when unknown) and ``address_key``."""
    key = name_key(name or "")
    reading = _given_reading(key, kana or "") or next(iter(_guessed_readings(name or "")), "")
    return {
        "name_key": key[:100],
        "reading_key": _kana_loose(reading)[:200],
        "address_key": address_key(address or "")[:300],
    }


# --- Comparing -----------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    raw_name: str
    name: str
    variants: tuple[str, ...]
    given: str  # reading from the kana field or a kana name
    guesses: tuple[str, ...]  # readings guessed from kanji
    phones: tuple[str, ...]
    raw_address: str
    address: str


@lru_cache(maxsize=65536)
def _prepare(fields: PersonFields) -> _Prepared:
    key = name_key(fields.name or "")
    phones = tuple(digits for part in _PHONE_SPLIT.split(fields.phone or "") if len(digits := phone_digits(part)) >= 6)
    return _Prepared(
        raw_name=normalize_compact(fields.name),
        name=key,
        variants=tuple(variants_in(unicodedata.normalize("NFKC", fields.name or ""))),
        given=_given_reading(key, fields.kana or ""),
        guesses=_guessed_readings(fields.name or ""),
        phones=phones,
        raw_address=normalize_compact(fields.address),
        address=address_key(fields.address or ""),
    )


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


def _compare_names(a: _Prepared, b: _Prepared, reasons: list[str]) -> tuple[float, bool | None]:
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
    if _LATIN.search(a.name) or _LATIN.search(b.name):
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


def _compare_phones(a: _Prepared, b: _Prepared, reasons: list[str]) -> tuple[float, bool]:
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


def _compare_addresses(a: _Prepared, b: _Prepared, reasons: list[str]) -> tuple[float, bool]:
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
    return _decide(_prepare(a), _prepare(b))


def _decide(pa: _Prepared, pb: _Prepared) -> MatchDecision:
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


# --- Looking up residents ------------------------------------------------------


def _blocked_ids(fields: PersonFields) -> set[int]:
    """Residents sharing the folded name, the loose reading or a phone number:
    two statements answered from indexes, capped in size."""
    from .models import Resident, ResidentPhone

    keys = resident_match_keys(name=fields.name, kana=fields.kana, address=fields.address)
    live = Resident.objects.filter(merged_into__isnull=True).order_by()
    lookups = []
    if keys["name_key"]:
        lookups.append(live.filter(name_key=keys["name_key"]).values_list("pk", flat=True))
    if len(keys["reading_key"]) >= 2:
        lookups.append(live.filter(reading_key=keys["reading_key"]).values_list("pk", flat=True))
    ids: set[int] = set()
    if lookups:
        # One statement; each part is answered from its own index (an OR of
        # the two is not, on SQLite).
        query = lookups[0].union(*lookups[1:]) if len(lookups) > 1 else lookups[0]
        ids.update(query[: 2 * BLOCK_LIMIT])
    phones = _prepare(fields).phones
    if phones:
        ids.update(ResidentPhone.objects.filter(digits__in=phones).values_list("resident_id", flat=True)[:BLOCK_LIMIT])
    return ids


def _prepare_resident(resident, digits: tuple[str, ...]) -> _Prepared:
    """A resident's fields prepared from its stored keys, with all its phones."""
    return _Prepared(
        raw_name=normalize_compact(resident.name),
        name=resident.name_key or name_key(resident.name),
        variants=tuple(variants_in(unicodedata.normalize("NFKC", resident.name or ""))),
        given=_given_reading(resident.name_key or name_key(resident.name), resident.name_kana or ""),
        guesses=_guessed_readings(resident.name or ""),
        phones=digits,
        raw_address=normalize_compact(resident.address),
        address=resident.address_key if resident.address_key or not resident.address else address_key(resident.address),
    )


def resident_candidates(
    fields: PersonFields, *, exclude_ids: Iterable[int] = (), limit: int = 10, include_possible: bool = True
) -> list[Candidate]:
    """Residents (not merged into another) who may be the person of
    ``fields``, best first. Found through the indexed keys (name_key,
    reading_key, phone digits), then scored as ``same_person`` does, against
    every phone number of the resident. With ``include_possible``, weaker
    matches (「可能性あり」, score at least ``POSSIBLE_THRESHOLD``) come too,
    with ``decision.same`` False. Five queries at most."""
    from django.db.models import prefetch_related_objects

    from .models import Resident, ResidentPhone

    ids = _blocked_ids(fields) - set(exclude_ids)
    if not ids:
        return []
    residents = list(Resident.objects.filter(pk__in=ids, merged_into__isnull=True))
    digits: dict[int, list[str]] = {}
    for resident_id, number in ResidentPhone.objects.filter(resident_id__in=[r.pk for r in residents]).values_list(
        "resident_id", "digits"
    ):
        digits.setdefault(resident_id, []).append(number)
    probe = _prepare(fields)
    floor = POSSIBLE_THRESHOLD if include_possible else SAME_THRESHOLD
    found = []
    for resident in residents:
        decision = _decide(probe, _prepare_resident(resident, tuple(digits.get(resident.pk, ()))))
        if decision.score >= floor:
            found.append(Candidate(resident=resident, decision=decision))
    found.sort(key=lambda candidate: (-candidate.decision.score, candidate.resident.pk))
    found = found[:limit]
    prefetch_related_objects([candidate.resident for candidate in found], "phones")
    return found
