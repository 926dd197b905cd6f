"""Small helpers to make records in tests through the real services."""

import datetime as dt

from django.utils import timezone

from people.services import resident_create
from records.services import ContactData, contact_create


def make_resident(actor, name="山田 太郎", kana="やまだ たろう", phones=("0287-23-1234",), **extra):
    return resident_create(actor=actor, name=name, name_kana=kana, phones=list(phones), **extra)


def make_contact(actor, *, department=None, minutes=10, ago=dt.timedelta(hours=1), **fields):
    started = timezone.now() - ago
    values = dict(
        department=department or actor.department,
        channel="counter",
        staff=actor,
        started_at=started,
        ended_at=started + dt.timedelta(minutes=minutes),
    )
    values.update(fields)
    return contact_create(actor=actor, data=ContactData(**values))
