"""Looking up residents who may be the same person (``resident_candidates``):
the indexed keys (name_key, reading_key, phone digits) find a bounded block,
which is then scored as ``same_person`` does. See ``people.matching``."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mamoru.lib.japanese import normalize_compact
from mamoru.lib.variants import variants_in

from .keys import (
    PersonFields,
    Prepared,
    address_key,
    given_reading,
    guessed_readings,
    name_key,
    prepare,
    resident_match_keys,
)
from .scoring import POSSIBLE_THRESHOLD, SAME_THRESHOLD, MatchDecision, decide

if TYPE_CHECKING:
    from ..models import Resident

# Residents fetched per blocking key at most: a very common key must not turn
# a lookup into a scan.
BLOCK_LIMIT = 300


@dataclass(frozen=True)
class Candidate:
    """A resident who may be the same person as the fields looked up."""

    resident: Resident
    decision: MatchDecision


def _blocked_ids(fields: PersonFields) -> set[int]:
    """Residents sharing the folded name, the loose reading or a phone number:
    two statements answered from indexes, capped in size."""
    from ..models import Resident, ResidentPhone

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
    phones = prepare(fields).phones
    if phones:
        ids.update(ResidentPhone.objects.filter(digits__in=phones).values_list("resident_id", flat=True)[:BLOCK_LIMIT])
    return ids


def _prepare_resident(resident, digits: tuple[str, ...]) -> Prepared:
    """A resident's fields prepared from its stored keys, with all its phones."""
    return Prepared(
        raw_name=normalize_compact(resident.name),
        name=resident.name_key or name_key(resident.name),
        variants=tuple(variants_in(unicodedata.normalize("NFKC", resident.name or ""))),
        given=given_reading(resident.name_key or name_key(resident.name), resident.name_kana or ""),
        guesses=guessed_readings(resident.name or ""),
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

    from ..models import Resident, ResidentPhone

    ids = _blocked_ids(fields) - set(exclude_ids)
    if not ids:
        return []
    residents = list(Resident.objects.filter(pk__in=ids, merged_into__isnull=True))
    digits: dict[int, list[str]] = {}
    for resident_id, number in ResidentPhone.objects.filter(resident_id__in=[r.pk for r in residents]).values_list(
        "resident_id", "digits"
    ):
        digits.setdefault(resident_id, []).append(number)
    probe = prepare(fields)
    floor = POSSIBLE_THRESHOLD if include_possible else SAME_THRESHOLD
    found = []
    for resident in residents:
        decision = decide(probe, _prepare_resident(resident, tuple(digits.get(resident.pk, ()))))
        if decision.score >= floor:
            found.append(Candidate(resident=resident, decision=decision))
    found.sort(key=lambda candidate: (-candidate.decision.score, candidate.resident.pk))
    found = found[:limit]
    prefetch_related_objects([candidate.resident for candidate in found], "phones")
    return found
