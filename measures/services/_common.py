"""What the measure services share: the text limit, the timeline event, the row lock."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from measures.models import Measure, MeasureEvent

TEXT_LIMIT = 4000


def event(measure: Measure, kind: str, actor, note: str = "", at: dt.datetime | None = None) -> None:
    MeasureEvent.objects.create(measure=measure, kind=kind, actor=actor, note=note, at=at or timezone.now())


def locked(measure: Measure) -> Measure:
    return Measure.objects.select_for_update().get(pk=measure.pk)
