"""The shape of "what the city holds about a resident" (保有個人情報), as the apps answer
``people.hooks.resident_data_held``: sections of items of labelled fields, plain JSON
(dicts, lists, text) so that a disclosure request stores exactly what was collected.

A section: ``{"key", "title", "order", "items": [...]}``; an item: ``{"key", "title",
"fields": [...]}``; a field: ``{"label", "value", "kind"}`` where ``kind`` is ``""`` or
``"staff"`` (a staff member's name, which the city may decide to withhold)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from .wareki import format_seireki, format_wareki

STAFF = "staff"


def held_field(label: str, value, *, kind: str = "") -> dict:
    """One labelled value, as text (``None`` and empty values read as an empty string)."""
    if isinstance(value, dt.datetime):
        text = held_datetime(value)
    elif isinstance(value, dt.date):
        text = held_date(value)
    elif value is None:
        text = ""
    else:
        text = str(value)
    return {"label": str(label), "value": text, "kind": kind}


def held_item(key: str, title: str, fields: Iterable[dict]) -> dict:
    return {"key": key, "title": str(title), "fields": [f for f in fields if f is not None]}


def held_section(key: str, title: str, items: Iterable[dict], *, order: int = 100, note: str = "") -> dict:
    return {"key": key, "title": str(title), "order": order, "note": str(note), "items": list(items)}


def held_date(day: dt.date | None) -> str:
    """令和8年1月15日; a day outside the eras (before 明治) in 西暦, never an error."""
    if day is None:
        return ""
    try:
        return format_wareki(day)
    except ValueError:
        return format_seireki(day)


def held_datetime(moment: dt.datetime | None) -> str:
    """令和8年1月15日 14:05 in the city's time zone."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{held_date(moment.date())} {moment:%H:%M}"


def flatten_sections(answers: Iterable) -> list[dict]:
    """The receivers' answers (a section, a list of sections, or nothing) as one list, in ``order``."""
    sections: list[dict] = []
    for answer in answers:
        if isinstance(answer, dict):
            sections.append(answer)
        elif answer:
            sections.extend(answer)
    return sorted(sections, key=lambda section: (section.get("order", 100), section.get("key", "")))
