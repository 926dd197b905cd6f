"""What measures adds to other apps' pages: the resident badges (「対応制限中」
「警告中」) through ``people.resident_badges`` and the panel at the top of the
resident page. Reads only (drawing a page changes nothing)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts import permissions as base_permissions

from . import permissions
from .selectors import measure_active_for_residents, measure_list


def _badge(measure) -> tuple[str, str]:
    css = "restricted" if measure.restricts else "warned"
    return _("{title}中").format(title=measure.title), css


def measure_resident_badges(*, user, residents) -> dict | None:
    """「対応制限中」「警告中」…: the strictest measure in force for each listed
    resident, all of them read in one query."""
    if not base_permissions.handles_contacts(user):
        return None
    ids = [r.pk for r in residents if getattr(r, "pk", None)]
    if not ids:
        return None
    found = measure_active_for_residents(resident_ids=ids)
    return {resident_id: [_badge(measures[0])] for resident_id, measures in found.items() if measures}


def resident_measures_panel(*, request, obj) -> dict | None:
    """The measures in force for the resident, with their conditions, and
    the specialist's 「措置を起案」 (not on the page of a resident merged away)."""
    user = request.user
    if not base_permissions.handles_contacts(user) or obj is None:
        return None
    active = measure_active_for_residents(resident_ids=[obj.pk], with_conditions=True).get(obj.pk, [])
    can_draft = permissions.may_draft_for(user, obj)
    if not active and not can_draft:
        return None
    visible = set(measure_list(user=user).filter(pk__in=[m.pk for m in active]).values_list("pk", flat=True))
    return {
        "resident": obj,
        "active": [(measure, measure.pk in visible) for measure in active],
        "can_draft": can_draft,
    }
