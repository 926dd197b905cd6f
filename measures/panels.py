"""What measures adds to the pages of the apps it builds on, registered in
``MeasuresConfig.ready()``: the restriction beside a live contact's clock, the
restriction section of the contact form, the resident's measures, and the
「対応制限中」 badge of residents in lists. Reads only."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as base_permissions
from mamoru.lib.panels import register_panel

from . import permissions
from .selectors import (
    contact_restriction_breaches,
    measure_active_for_residents,
    measure_list,
    measure_restriction_for,
    measure_timeline,
)

_MISSING = object()


def contact_restriction(contact):
    """The restriction active on the contact's day for its resident, or None.
    Read once per contact object: the clock's limits and the notice beside the
    clock both ask for it while one page is drawn."""
    found = contact.__dict__.get("_measures_restriction", _MISSING)
    if found is _MISSING:
        found = measure_restriction_for(resident=contact.resident, on=timezone.localtime(contact.started_at).date())
        contact.__dict__["_measures_restriction"] = found
    return found


def clock_restriction_panel(*, request, obj):
    """Beside the live clock (slot ``live``): 対応制限中 and its conditions."""
    restriction = contact_restriction(obj) if obj is not None else None
    if restriction is None:
        return None
    breaches = []
    if base_permissions.handles_contacts(request.user) and obj.pk:
        breaches = contact_restriction_breaches(contact=obj, restriction=restriction)
    return {"restriction": restriction, "contact": obj, "breaches": breaches}


def contact_form_restriction_panel(*, request, obj):
    """The contact form's 対応制限 section (slot ``after_staff``, ``obj`` the
    form): the restriction of the resident chosen on the form, on the contact's
    day, and the reason for a contact outside it; shown too when a reason was
    given or is asked for."""
    form = obj
    started_at = form["started_at"].value()
    on = None
    if isinstance(started_at, dt.datetime):
        on = (timezone.localtime(started_at) if timezone.is_aware(started_at) else started_at).date()
    resident = form.selected_resident()
    restriction = measure_restriction_for(resident=resident, on=on) if resident is not None else None
    field = form["restriction_exception_reason"]
    if restriction is None and not field.errors and not field.value():
        return None
    return {"form": form, "restriction": restriction}


def resident_timeline_panel(*, request, obj):
    """The resident's measures and their events in date order, as far as the
    user may see: for approvers and the specialist section (staff see the
    intake banner on a contact instead)."""
    user = request.user
    if not permissions.may_view_measures(user):
        return None
    measures, events = measure_timeline(user=user, resident=obj)
    return {"resident": obj, "events": events, "measures": measures, "shown": True}


def _badge(measure) -> tuple[str, str]:
    css = "repetition-badge restricted" if measure.restricts else "repetition-badge warned"
    return _("{title}中").format(title=measure.title), css


def measure_resident_badges(*, user, residents, **kwargs) -> dict | None:
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
    if obj is None:
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


def register() -> None:
    for page in ("records.contact_detail", "records.contact_form"):
        register_panel(
            page=page,
            slot="live",
            name="measures.clock_restriction",
            template="measures/_clock_restriction.html",
            context=clock_restriction_panel,
            order=10,
        )
    register_panel(
        page="records.contact_form",
        slot="after_staff",
        name="measures.contact_restriction",
        template="measures/_contact_restriction.html",
        context=contact_form_restriction_panel,
        order=10,
    )
    register_panel(
        page="people.resident_detail",
        slot="main",
        name="measures.resident_timeline",
        template="measures/_timeline.html",
        context=resident_timeline_panel,
        order=50,
    )
    register_panel(
        page="people.resident_detail",
        slot="top",
        name="measures.resident_measures",
        template="measures/_resident_measures.html",
        context=resident_measures_panel,
        order=10,
        audience=base_permissions.handles_contacts,
    )
