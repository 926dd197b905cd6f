"""Applying an active response restriction (対応制限) to contacts: a contact
outside its conditions needs a reason, and the live clock takes its time limit.
Which conditions a contact breaks is read by ``measures.selectors.restriction_violations``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from measures.models import Measure
from measures.selectors import restriction_violations


def restriction_require_reason(*, data) -> None:
    """Refuse to save a contact outside an active restriction without a reason.
    ``data`` is a records.services.ContactData."""
    if (getattr(data, "restriction_exception_reason", "") or "").strip():
        return
    if restriction_violations(
        resident=data.resident,
        department=data.department,
        channel=data.channel,
        staff=data.staff,
        started_at=data.started_at,
    ):
        raise ValidationError(
            {"restriction_exception_reason": _("対応制限の条件外の対応です。理由を記入してください。")}
        )


def restriction_clock_minutes(measure: Measure | None) -> tuple[int, int] | None:
    """(warning, limit) minutes for the live clock under a restriction with a
    time limit: the warning comes 5 minutes before the limit (1 minute before
    for a limit of 5 minutes or less)."""
    if measure is None or not measure.max_minutes:
        return None
    limit = measure.max_minutes
    warning = limit - 5 if limit > 5 else max(limit - 1, 0)
    return warning, limit
