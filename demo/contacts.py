"""A year of contact records, planned one by one and bulk-loaded in batches.

Each record is built by ``records.services.contact_build`` from a
``ContactData``, so its duration and search text are exactly what the app
computes; its first revision is ``contact_snapshot`` of it, as when saved
through the app. Loading skips validation and the audit log (one entry per
record would double the load for nothing a demo shows).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import JSONField, Value

from records.models import Contact, ContactCategory, ContactRevision
from records.services import ContactData, contact_build, contact_snapshot

from . import names
from .compose import ANGRY_KIND, HARASSMENT, ORDINARY, UNSURE_KIND, draft_contact, weighted
from .conduct import CHANNEL_MODES
from .schedule import Schedule, is_closed
from .timestamps import given_timestamps
from .topics import DEPARTMENTS

BATCH = 2000
KINDS = {HARASSMENT: 11, UNSURE_KIND: 4, ANGRY_KIND: 8, ORDINARY: 77}
REPEATER_KINDS = {HARASSMENT: 55, UNSURE_KIND: 20, ANGRY_KIND: 15, ORDINARY: 10}
CLOSED_DAY_KINDS = {ORDINARY: 90, ANGRY_KIND: 10}
REPEATER_SHARE = 0.05  # of all contacts
OtherStaff = Contact.other_staff.through


@dataclass
class Population:
    """Who can appear on a contact, per department code."""

    departments: dict  # code → Department
    handlers: dict  # code → [User], staff more often than their managers
    supervisors: dict  # code → [User]
    repeaters: list  # [(Resident, [department codes])]
    others: list  # every other resident


@dataclass
class Planned:
    contact: Contact
    categories: list[str]
    other_staff: list


@dataclass
class Tally:
    contacts: int = 0
    kinds: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    seconds: float = 0.0  # spent loading contacts


class Planner:
    """Plans contacts one by one. Every category of the pack shows up at least
    once, even in a small demo: a contact at a random position is reserved
    for each."""

    def __init__(self, rng: random.Random, population: Population, schedule: Schedule, *, category_names, count, now):
        self.rng = rng
        self.people = population
        self.schedule = schedule
        self.category_names = category_names
        self.now = now
        self.plans = {plan.code: plan for plan in DEPARTMENTS}
        codes = list(category_names)
        self.showcase = dict(zip(rng.sample(range(count), min(count, len(codes))), codes, strict=False))
        self.pending: list[str] = []
        self.position = -1

    def day(self, day: dt.date, count: int) -> list[Planned]:
        """The contacts of one day, in the order they started."""
        planned = [self.next(day) for _ in range(count)]
        return sorted(planned, key=lambda p: p.contact.started_at)

    def _choose(self, day: dt.date):
        """(kind, department code, resident, main category, channel); None leaves it to chance."""
        rng = self.rng
        self.position += 1
        if self.position in self.showcase:
            self.pending.append(self.showcase[self.position])
        department = weighted(rng, self.schedule.department_weights(day))
        if is_closed(day):  # only mail and letters are read on a closed day
            return weighted(rng, CLOSED_DAY_KINDS), department, None, None, rng.choice(("mail", "mail", "letter"))
        if self.pending:
            return HARASSMENT, department, None, self.pending.pop(0), None
        if self.people.repeaters and rng.random() < REPEATER_SHARE:
            resident, departments = rng.choice(self.people.repeaters)
            kind = weighted(rng, REPEATER_KINDS)
            primary = "repetition" if kind == HARASSMENT and rng.random() < 0.5 else None
            return kind, rng.choice(departments), resident, primary, None
        return weighted(rng, KINDS), department, None, None, None

    def next(self, day: dt.date) -> Planned:
        rng = self.rng
        kind, code, resident, primary, channel = self._choose(day)
        draft = draft_contact(
            rng,
            kind=kind,
            department=self.plans[code],
            category_names=self.category_names,
            primary=primary,
            channel=channel,
        )
        mode = CHANNEL_MODES[draft.channel]
        unknown = draft.channel if draft.channel in ("mail", "letter") else mode
        others = self.people.others
        if resident is None and others and rng.random() < (0.6 if kind in (ORDINARY, ANGRY_KIND) else 0.7):
            # Some residents get in touch far more often than others.
            resident = others[int(len(others) * rng.random() ** 1.3)]
        staff = rng.choice(self.people.handlers[code])
        other_staff = []
        if (kind == HARASSMENT and rng.random() < 0.5) or (kind == UNSURE_KIND and rng.random() < 0.2):
            other_staff = [u for u in self.people.supervisors[code][:1] if u != staff]
        started_at = self.schedule.start(rng, day=day, channel=draft.channel)
        seconds = draft.minutes * 60 + (rng.randint(0, 59) if mode != "written" else 0)
        ended_at = started_at + dt.timedelta(seconds=seconds)
        data = ContactData(
            department=self.people.departments[code],
            channel=draft.channel,
            staff=staff,
            started_at=started_at,
            ended_at=ended_at,
            other_staff=other_staff,
            resident=resident,
            resident_description="" if resident or rng.random() < 0.3 else rng.choice(names.UNKNOWN_RESIDENTS[unknown]),
            place=self._place(draft.channel, staff, code),
            **{name: getattr(draft, name) for name in DRAFT_FIELDS},
        )
        contact = contact_build(actor=staff, data=data)
        contact.created_at = min(self.now, ended_at + dt.timedelta(minutes=rng.randint(3, 90)))
        contact.updated_at = contact.created_at
        return Planned(contact, draft.categories, other_staff)

    def _place(self, channel: str, staff, code: str) -> str:
        if channel == "counter":
            return staff.workplace if staff.workplace.endswith("窓口") else f"{self.plans[code].name}窓口"
        if channel == "phone":
            return staff.workplace if staff.workplace.startswith("内線") else ""
        if channel == "visit":
            return self.rng.choice(("住民等の自宅", f"現地（大田原市{self.rng.choice(names.TOWNS)}地内）"))
        if channel == "other":
            return self.rng.choice(("庁舎1階ロビー", "庁舎駐車場"))
        return ""


DRAFT_FIELDS = (
    "summary",
    "request_content",
    "words_and_behaviour",
    "staff_response",
    "outcome",
    "harassment",
    "categories",
    "content_unreasonable",
    "content_reason",
    "manner_inappropriate",
    "manner_reason",
    "harms",
    "harm_reason",
)


def contacts_insert(planner: Planner, count: int, *, progress=None) -> Tally:
    """Plan and insert ``count`` contacts, one transaction per batch."""
    tally = Tally()
    began = time.monotonic()
    with given_timestamps(Contact, ContactRevision):
        for batch in _batches(planner, count):
            with transaction.atomic():
                _insert_batch(batch)
            for item in batch:
                tally.kinds[item.contact.harassment] += 1
                tally.categories.update(item.categories)
            tally.contacts += len(batch)
            if progress:
                progress(tally.contacts, count)
    tally.seconds = time.monotonic() - began
    return tally


def _batches(planner: Planner, count: int):
    """Day by day, oldest first, in batches of about ``BATCH`` contacts."""
    batch = []
    for day, day_count in planner.schedule.days_in_order(planner.rng, count):
        batch += planner.day(day, day_count)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert_batch(planned: list[Planned]) -> None:
    Contact.objects.bulk_create([p.contact for p in planned])
    categories, other_staff, revisions = [], [], []
    for p in planned:
        rows = [ContactCategory(contact=p.contact, code=code) for code in p.categories]
        categories += rows
        other_staff += [OtherStaff(contact_id=p.contact.pk, user_id=user.pk) for user in p.other_staff]
        _prepare_for_snapshot(p.contact, rows, p.other_staff)
        snapshot = contact_snapshot(p.contact)
        revisions.append(
            ContactRevision(
                contact=p.contact,
                version=1,
                changed_by=p.contact.staff,
                changed_at=p.contact.created_at,
                changed_fields=sorted(snapshot),
                # As an expression, so PostgreSQL inserts it as one JSON value;
                # Django's array (UNNEST) insert would escape every \uXXXX of it.
                snapshot=Value(snapshot, output_field=JSONField()),
            )
        )
    ContactCategory.objects.bulk_create(categories)
    OtherStaff.objects.bulk_create(other_staff)
    ContactRevision.objects.bulk_create(revisions)


CHOICE_FIELDS = ("harassment", "content_unreasonable", "manner_inappropriate")


@functools.cache
def _labels(name: str) -> dict[str, str]:
    return {value: str(label) for value, label in Contact._meta.get_field(name).flatchoices}


def _prepare_for_snapshot(contact: Contact, categories: list, other_staff: list) -> None:
    """Let ``contact_snapshot`` read a freshly inserted contact from memory:
    its relations as a prefetch would have loaded them, and its choice labels
    looked up once (Django rebuilds the choices on every ``get_FOO_display``,
    a third of the snapshot's time in a bulk load)."""
    contact._prefetched_objects_cache = {"categories": categories, "other_staff": list(other_staff)}
    for name in CHOICE_FIELDS:
        value = getattr(contact, name)
        setattr(contact, f"get_{name}_display", functools.partial(_labels(name).get, value, value))
