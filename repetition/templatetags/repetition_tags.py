"""The intake banner (``{% intake_banner resident %}``) and the pick list's
badges (``{% repetition_badges resident %}``)."""

from django import template

from mamoru.policy.loader import current as current_policy

from ..selectors import flag_shown_for, intake_summary
from ..services import repetition_recount_pending

register = template.Library()

_BADGE_CACHE = "repetition_flags_by_resident"


@register.inclusion_tag("repetition/_intake_banner_body.html", takes_context=True)
def intake_banner(context, resident, catch_up=False):
    """Before anything else on a contact with a flagged, warned or restricted
    resident: the counts, the flag state, the active measures and whom to call.
    ``catch_up`` (a live contact, where staff face the resident now): count the
    resident's rules first if a saved contact still waits for its recount."""
    if not resident or not getattr(resident, "pk", None):
        return {"summary": None}
    if catch_up:
        # The background recount runs every few seconds; a contact saved a moment
        # ago is counted now instead (one indexed lookup when nothing waits).
        repetition_recount_pending(resident_id=resident.pk)
    city = current_policy().city
    return {
        "summary": intake_summary(resident=resident),
        "resident": resident,
        "city": city,
        "request": context.get("request"),
    }


@register.inclusion_tag("repetition/_badges_body.html", takes_context=True)
def repetition_badges(context, resident):
    """Small badges for one resident of a list (繰り返し要確認, 対応制限中). The
    flags of every resident in the list ``residents`` load in one query."""
    if not resident or not getattr(resident, "pk", None):
        return {"flags": [], "restricted": False}
    cache = context.render_context.get(_BADGE_CACHE)
    if cache is None or resident.pk not in cache:
        listed = [getattr(r, "pk", None) for r in _listed_residents(context)]
        ids = {pk for pk in listed if pk} | {resident.pk}
        cache = flag_shown_for(resident_ids=ids)
        cache = {pk: cache.get(pk, []) for pk in ids}
        context.render_context[_BADGE_CACHE] = cache
    return {"flags": cache.get(resident.pk, []), "restricted": _restricted(resident)}


def _listed_residents(context) -> list:
    """The residents of the list being drawn: ``residents``, or the first item
    of each pair in ``results`` (the pick list's (resident, duplicates))."""
    found = list(context.get("residents") or [])
    for item in context.get("results") or []:
        found.append(item[0] if isinstance(item, (tuple, list)) else item)
    return found


def _restricted(resident) -> bool:
    from measures.selectors import measure_restriction_for  # imported late, as measures imports records

    return measure_restriction_for(resident=resident) is not None
