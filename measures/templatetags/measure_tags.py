"""Measure pieces for other apps' pages: the resident's timeline and the
restriction notice beside a contact's clock (with the conditions the contact breaks)."""

import datetime as dt

from django import template
from django.utils import timezone

from accounts import permissions as base_permissions
from measures import permissions
from measures.selectors import contact_restriction_breaches, measure_restriction_for, measure_timeline

register = template.Library()


@register.inclusion_tag("measures/_timeline.html", takes_context=True)
def measure_timeline_for(context, resident):
    """The resident's measures and their events in date order, as far as the user may see."""
    request = context.get("request")
    user = request.user
    # staff see the intake banner instead; the ladder is for approvers and the specialist section
    shown = permissions.may_view_measures(user)
    measures, events = measure_timeline(user=user, resident=resident) if shown else ([], [])
    return {
        "request": request,
        "resident": resident,
        "events": events,
        "measures": measures,
        "shown": shown,
    }


@register.simple_tag
def restriction_for(resident, started_at=None):
    """The resident's active restriction on the contact's day, or None."""
    if resident is None or not hasattr(resident, "pk"):
        return None
    on = None
    if isinstance(started_at, dt.datetime):
        on = (timezone.localtime(started_at) if timezone.is_aware(started_at) else started_at).date()
    return measure_restriction_for(resident=resident, on=on)


@register.simple_tag(takes_context=True)
def restriction_breaches(context, contact, restriction=None):
    """Which of the restriction's conditions this contact breaks, as of now
    (a live contact: the time limit and the allowed hours too)."""
    user = getattr(context.get("request"), "user", None)
    if not base_permissions.handles_contacts(user) or contact is None or not getattr(contact, "pk", None):
        return []
    return contact_restriction_breaches(contact=contact, restriction=restriction)
