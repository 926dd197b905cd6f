"""Residents (住民等) of the demo, bulk-loaded with the same search keys and
phone digits that ``people.services`` stores, so that search finds them."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from mamoru.lib.japanese import phone_digits
from people.matching import resident_match_keys
from people.models import Resident, ResidentPhone
from people.services import resident_search_key

from . import names
from .timestamps import given_timestamps

BATCH = 2000


def repeater_count(residents: int) -> int:
    """A handful of residents who come back again and again, to several departments."""
    return min(residents, max(5, residents // 60))


def residents_create(
    rng: random.Random, *, count: int, since: dt.datetime, until: dt.datetime, actors: list
) -> list[Resident]:
    """``count`` residents; the first ``repeater_count(count)`` are the repeaters."""
    repeaters = repeater_count(count)
    created = []
    with given_timestamps(Resident):
        for start in range(0, count, BATCH):
            batch = [
                _resident(rng, i < repeaters, since, until, actors) for i in range(start, min(count, start + BATCH))
            ]
            with transaction.atomic():
                Resident.objects.bulk_create([resident for resident, _ in batch])
                ResidentPhone.objects.bulk_create(
                    ResidentPhone(resident=resident, number=number, digits=phone_digits(number))
                    for resident, numbers in batch
                    for number in numbers
                )
            created += [resident for resident, _ in batch]
    return created


def _resident(rng: random.Random, repeater: bool, since, until, actors) -> tuple[Resident, list[str]]:
    name, kana = names.resident_name(rng, variant_share=0.08)
    if repeater:
        notes = rng.choice(names.REPEATER_NOTES)
    else:
        notes = rng.choice(names.RESIDENT_NOTES) if rng.random() < 0.12 else ""
    created_at = since + (until - since) * rng.random() * 0.3
    kana = kana if rng.random() < 0.93 else ""
    resident_address = names.address(rng) if rng.random() < 0.9 else ""
    resident = Resident(
        name=name,
        name_kana=kana,
        address=resident_address,
        notes=notes,
        search_key=resident_search_key(name, kana),
        **resident_match_keys(name=name, kana=kana, address=resident_address),
        created_at=created_at,
        updated_at=created_at,
        created_by=rng.choice(actors),
    )
    phones = [names.phone(rng) for _ in range(rng.choices([0, 1, 2], weights=[1, 7, 2])[0])]
    return resident, phones
