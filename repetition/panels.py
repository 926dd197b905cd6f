"""What repetition adds to the pages of the apps it builds on, registered in
``RepetitionConfig.ready()``: the intake banner on a contact's page and form, the flags at the top of the resident
page, the 繰り返し badges of residents in the resident list and picker, and the flags to review on
the specialist section's home page. Reads only."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as base_permissions
from mamoru.lib.panels import register_panel
from mamoru.lib.todo import HOME_ROWS, TodoItem, panel_context
from mamoru.policy.loader import current as current_policy

from .choices import FlagStatus
from .selectors import flag_list, flag_shown_for, intake_summary


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


def home_flags_to_review_panel(*, request, obj):
    """繰り返し要確認: the flags a rule proposed and nobody has decided, the oldest first."""
    flags_qs = flag_list(user=obj, status=FlagStatus.OPEN).order_by("detected_at", "id")
    flags = list(flags_qs[: HOME_ROWS + 1])
    if not flags:
        return None
    items = [
        TodoItem(
            obj=flag,
            url=reverse("repetition:flag_detail", args=[flag.pk]),
            label=_("{resident}：{rule}").format(resident=flag.resident, rule=flag.rule_name),
            detail=_("{count}回・{departments}部署・{minutes}分").format(
                count=flag.contact_count, departments=flag.department_count, minutes=flag.minutes
            ),
            due=timezone.localtime(flag.detected_at),
            due_text=_("検出"),
        )
        for flag in flags[:HOME_ROWS]
    ]
    return panel_context(
        items,
        total=flags_qs.count() if len(flags) > HOME_ROWS else len(flags),
        list_url=reverse("repetition:flag_list") + f"?status={FlagStatus.OPEN}",
    )


def register() -> None:
    register_panel(
        page="records.home",
        slot="todo",
        name="repetition.home_flags_to_review",
        template="repetition/_home_flags_to_review.html",
        context=home_flags_to_review_panel,
        order=45,
        audience=base_permissions.is_specialist,
    )
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
