"""Keeping the times the demo gives to ``auto_now``/``auto_now_add`` fields.

A year of records written "just now" would make every record's history and
every resident's registration date read today. While loading, the demo turns
those fields' automatic values off and sets them itself."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import models


@contextmanager
def given_timestamps(*model_classes: type[models.Model]):
    fields = [
        field
        for model in model_classes
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
