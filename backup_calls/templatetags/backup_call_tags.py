from django import template

from backup_calls.selectors import backup_call_for_contact, backup_call_level_note

register = template.Library()


@register.inclusion_tag("backup_calls/_contact_section.html", takes_context=True)
def backup_section(context, contact):
    """The contact page's 応援要請 section: the button on a live contact the
    user handles, and every call on the contact with its timed steps."""
    user = context["request"].user
    calls = backup_call_for_contact(user=user, contact=contact)
    open_call = next((call for call in calls if call.is_open), None)
    return {
        "contact": contact,
        "calls": calls,
        "open_call": open_call,
        "level_note": backup_call_level_note(open_call.level) if open_call else "",
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }
