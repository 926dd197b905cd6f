"""Keys of a person's fields (名寄せの正規化): a name, a reading and an
address each folded to one comparable form (see ``people.matching``), the
keys stored on a resident for its indexed lookup, and a person's fields
prepared once for scoring."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

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
from mamoru.lib.variants import fold_variants, variants_in

kana_loose_cached = lru_cache(maxsize=65536)(kana_loose)

_HONORIFICS = ("様", "さま", "さん", "殿", "どの")
_PHONE_SPLIT = re.compile(r"[/／,，、;；]|または|又は")
LATIN = re.compile(r"[a-z]")


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
    if LATIN.search(text):
        return " ".join(sorted(text.replace(",", " ").split()))
    return _strip_honorific(to_hiragana(fold_variants(text)))


def given_reading(name_key_value: str, kana: str) -> str:
    kana = kana_compact(kana)
    if is_kana(kana):
        return kana
    if is_kana(name_key_value):
        return name_key_value
    return ""


@lru_cache(maxsize=65536)
def guessed_readings(name: str) -> tuple[str, ...]:
    """Readings guessed from a name in kanji (variants folded first, so that
    pykakasi sees 高橋, not 髙橋); () for a name in kana or Latin letters."""
    folded = fold_variants(normalize(name))
    key = to_hiragana(folded)
    if not key or is_kana(key) or LATIN.search(key):
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
    reading = given_reading(key, kana or "") or next(iter(guessed_readings(name or "")), "")
    return {
        "name_key": key[:100],
        "reading_key": kana_loose_cached(reading)[:200],
        "address_key": address_key(address or "")[:300],
    }


# --- Prepared for comparing ------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    raw_name: str
    name: str
    variants: tuple[str, ...]
    given: str  # reading from the kana field or a kana name
    guesses: tuple[str, ...]  # readings guessed from kanji
    phones: tuple[str, ...]
    raw_address: str
    address: str


@lru_cache(maxsize=65536)
def prepare(fields: PersonFields) -> Prepared:
    key = name_key(fields.name or "")
    phones = tuple(digits for part in _PHONE_SPLIT.split(fields.phone or "") if len(digits := phone_digits(part)) >= 6)
    return Prepared(
        raw_name=normalize_compact(fields.name),
        name=key,
        variants=tuple(variants_in(unicodedata.normalize("NFKC", fields.name or ""))),
        given=given_reading(key, fields.kana or ""),
        guesses=guessed_readings(fields.name or ""),
        phones=phones,
        raw_address=normalize_compact(fields.address),
        address=address_key(fields.address or ""),
    )
