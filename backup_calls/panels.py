"""What backup_calls adds to the pages of the apps it builds on, registered in
``BackupCallsConfig.ready()``: the 応援要請 section of the contact page. Reads only."""

from mamoru.lib.panels import register_panel

from .selectors import backup_call_for_contact, backup_call_level_note


def contact_calls_panel(*, request, obj):
    """The button on a live contact the user handles, and every call on the
    contact with its timed steps."""
    calls = backup_call_for_contact(user=request.user, contact=obj)
    if not obj.is_live and not calls:
        return None
    open_call = next((call for call in calls if call.is_open), None)
    return {
        "contact": obj,
        "calls": calls,
        "open_call": open_call,
        "level_note": backup_call_level_note(open_call.level) if open_call else "",
    }


def register() -> None:
    register_panel(
        page="records.contact_detail",
        slot="main",
        name="backup_calls.contact_calls",
        template="backup_calls/_contact_section.html",
        context=contact_calls_panel,
        order=10,
    )
