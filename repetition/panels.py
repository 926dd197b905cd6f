"""What repetition adds to the pages of the apps it builds on, registered in
``RepetitionConfig.ready()``: the intake banner on a contact's page and form, the flags at the top of the resident
page, and the 繰り返し badges of residents in the resident list and picker. Reads only."""

from django.utils.translation import gettext as _

from accounts import permissions as base_permissions
from mamoru.lib.panels import register_panel
from mamoru.policy.loader import current as current_policy

from .choices import FlagStatus
from .selectors import flag_shown_for, intake_summary


def intake_banner_panel(*, request, obj):
    """Before anything else on a contact with a flagged, warned or restricted
    resident: the counts, the flag state, the active measures and whom to call.
    Reads only: a contact saved a moment ago is counted by the POST that saved
    it (a live start) or by the background recount, never by drawing a page."""
    resident = getattr(obj, "resident", None)
    if resident is None:
        return None
    summary = intake_summary(resident=resident)
    if not summary.shown:
        return None
    return {"summary": summary, "resident": resident, "city": current_policy().city}


def resident_flag_badges(*, user, residents, **kwargs):
    """「繰り返し要確認」 / 「繰り返しに該当」 for the listed residents (``people.hooks.resident_badges``),
    the flags of all of them in one query. Nothing for who handles no contacts (the administrator)."""
    if not base_permissions.handles_contacts(user):
        return None
    flags = flag_shown_for(resident_ids=[resident.pk for resident in residents if resident.pk])
    badges = {}
    for resident_id, shown in flags.items():
        statuses = dict.fromkeys(flag.status for flag in shown)  # one badge per state, in the flags' order
        badges[resident_id] = [
            (_("繰り返し要確認") if status == FlagStatus.OPEN else _("繰り返しに該当"), f"repetition-badge {status}")
            for status in statuses
        ]
    return badges or None


def resident_flags_panel(*, request, obj) -> dict | None:
    """The resident's open and confirmed repetition flags (nothing when none)."""
    if obj is None:
        return None
    flags = flag_shown_for(resident_ids=[obj.pk]).get(obj.pk, [])
    if not flags:
        return None
    return {"resident": obj, "flags": flags, "can_decide": base_permissions.is_specialist(request.user)}


def register() -> None:
    for page in ("records.contact_detail", "records.contact_form"):
        register_panel(
            page=page,
            slot="top",
            name="repetition.intake_banner",
            template="repetition/_intake_banner.html",
            context=intake_banner_panel,
            order=10,
        )
    register_panel(
        page="people.resident_detail",
        slot="top",
        name="repetition.resident_flags",
        template="repetition/_resident_flags.html",
        context=resident_flags_panel,
        order=20,
        audience=base_permissions.handles_contacts,
    )
