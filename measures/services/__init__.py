"""Measures (措置): every state change, one concern a module.

- ``drafting``: drafting and correcting a measure's terms (起案・修正);
- ``approval``: the approval ladder (決裁に回付・承認・差戻し) and the approver's audited read of
  the contacts linked to the measure it waits for;
- ``lifecycle``: issuing, withdrawing, appeals and the daily review reminders;
- ``restrictions``: applying an active response restriction (対応制限) to contacts.

Each function checks the actor through ``measures.permissions``, validates against the
policy pack, runs in one transaction, writes a timeline event and an audit entry.
Reads are in ``measures.selectors``."""

from measures.terms import MeasureTerms, RestrictionConditions

from .approval import measure_approve, measure_contact_read, measure_send_back, measure_submit
from .drafting import measure_draft, measure_snapshot, measure_update
from .lifecycle import (
    measure_appeal_decide,
    measure_appeal_record,
    measure_issue,
    measure_reminders,
    measure_withdraw,
)
from .restrictions import (
    restriction_clock_minutes,
    restriction_require_reason,
    restriction_violations,
)

__all__ = [
    "MeasureTerms",
    "RestrictionConditions",
    "measure_appeal_decide",
    "measure_appeal_record",
    "measure_approve",
    "measure_contact_read",
    "measure_draft",
    "measure_issue",
    "measure_reminders",
    "measure_send_back",
    "measure_snapshot",
    "measure_submit",
    "measure_update",
    "measure_withdraw",
    "restriction_clock_minutes",
    "restriction_require_reason",
    "restriction_violations",
]
