"""Finding the same person across records (名寄せ).

One matcher serves the resident pages, imports and the command line
(``python -m mamoru same-person``). It compares two sets of fields — name,
kana, one phone number, address — each of which may be missing.

The package holds three concerns: ``keys`` (normalising and folding a
person's fields into comparable keys, and the keys stored on a resident),
``scoring`` (``same_person``: the evidence, its weights and reasons) and
``lookup`` (``resident_candidates``: residents found through the indexed
keys, then scored). Callers import from ``people.matching``.

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

from .keys import PersonFields, address_key, name_key, resident_match_keys
from .lookup import BLOCK_LIMIT, Candidate, resident_candidates
from .scoring import POSSIBLE_THRESHOLD, PRIOR, SAME_THRESHOLD, MatchDecision, same_person

__all__ = [
    "BLOCK_LIMIT",
    "POSSIBLE_THRESHOLD",
    "PRIOR",
    "SAME_THRESHOLD",
    "Candidate",
    "MatchDecision",
    "PersonFields",
    "address_key",
    "name_key",
    "resident_candidates",
    "resident_match_keys",
    "same_person",
]
