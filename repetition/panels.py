"""What repetition adds to the resident pages: the 「繰り返し要確認」 badge through
``people.resident_badges`` and the flags at the top of the resident page.
Reads only (drawing a page changes nothing)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts import permissions as base_permissions

from .selectors import flag_shown_for


def _badges(flags) -> list[tuple[str, str]]:
    if any(flag.is_open for flag in flags):
        return [(_("繰り返し要確認"), "open")]
    return [(_("繰り返しに該当"), "confirmed")] if flags else []


def repetition_resident_badges(*, user, residents) -> dict | None:
    """「繰り返し要確認」 (or 「繰り返しに該当」) for the listed residents, in one query."""
    if not base_permissions.handles_contacts(user):
        return None
    ids = [r.pk for r in residents if getattr(r, "pk", None)]
    if not ids:
        return None
    return {pk: _badges(flags) for pk, flags in flag_shown_for(resident_ids=ids).items() if flags}


def resident_flags_panel(*, request, obj) -> dict | None:
    """The resident's open and confirmed repetition flags (nothing when none)."""
    user = request.user
    if not base_permissions.handles_contacts(user) or obj is None:
        return None
    flags = flag_shown_for(resident_ids=[obj.pk]).get(obj.pk, [])
    if not flags:
        return None
    return {"resident": obj, "flags": flags, "can_decide": base_permissions.is_specialist(user)}
