"""measures' receivers of the hooks of records, connected in
``MeasuresConfig.ready()``: a response restriction (対応制限) applied to contacts."""

from .panels import contact_restriction
from .selectors import resident_restriction_annotation
from .services import restriction_clock_minutes, restriction_require_reason


def on_contact_validating(*, data, **kwargs) -> None:
    """``records.hooks.contact_validating``: a contact outside the resident's
    active restriction needs a reason before it is saved."""
    restriction_require_reason(data=data)


def contact_clock_limits(*, contact, **kwargs) -> tuple[int, int] | None:
    """``records.hooks.contact_clock_limits``: a restriction's time limit."""
    return restriction_clock_minutes(contact_restriction(contact))


def contact_resident_annotations(**kwargs) -> dict:
    """``records.hooks.contact_resident_annotations``: whether a restriction is
    issued, so that the check on save needs no query for most residents."""
    return resident_restriction_annotation()
