"""The terms of a measure as the drafter writes them: what drafting and
correcting a measure take (``MeasureTerms``), with the conditions of a
response restriction (``RestrictionConditions``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class RestrictionConditions:
    """The conditions of a response restriction (対応制限). Empty: none."""

    written_only: bool = False
    written_channels: list[str] = field(default_factory=list)
    designated_staff: list = field(default_factory=list)
    max_minutes: int | None = None
    allowed_weekdays: list[int] = field(default_factory=list)
    allowed_from: dt.time | None = None
    allowed_until: dt.time | None = None
    counter_department: object = None

    def is_empty(self) -> bool:
        return not (
            self.written_only
            or self.designated_staff
            or self.max_minutes
            or self.allowed_weekdays
            or self.allowed_from
            or self.allowed_until
            or self.counter_department
        )


@dataclass
class MeasureTerms:
    """Everything the drafter decides for a measure (起案の内容), checked by
    ``measure_draft`` and ``measure_update`` alike.

    ``facts`` is the letter's 「事実」 as the drafter reviewed it, one fact a line
    (empty: no letter, or written from the linked contacts when the draft is made);
    ``requests`` is 「今後守っていただく事項」, one request a line."""

    reasons: str
    contacts: list
    lead_department: object
    starts_on: dt.date | None
    ends_on: dt.date | None = None
    review_on: dt.date | None = None
    reminder_days_before_review: int = 14
    conditions: RestrictionConditions = field(default_factory=RestrictionConditions)
    facts: str = ""
    requests: str = ""
