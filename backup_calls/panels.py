"""What backup_calls adds to the pages of the apps it builds on, registered in
``BackupCallsConfig.ready()``: the 応援要請 section of the contact page, and the open calls
of their department on the home page of its 上司 and 管理職. Reads only."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as base_permissions
from mamoru.lib.panels import register_panel
from mamoru.lib.todo import HOME_ROWS, TodoItem, panel_context

from .selectors import backup_call_for_contact, backup_call_level_note, backup_call_open_list


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


def responds_in_department(user) -> bool:
    """The home panel's audience: a 上司 or 管理職 of a department."""
    return base_permissions.is_department_supervisor(user, getattr(user, "department_id", None))


def home_open_calls_panel(*, request, obj):
    """Open backup calls of the user's department: not yet taken first (they are the
    urgent ones), each linking to its contact."""
    calls = list(backup_call_open_list(user=obj)[: HOME_ROWS + 1])
    if not calls:
        return None
    items = []
    for call in calls[:HOME_ROWS]:
        started = timezone.localtime(call.created_at)
        parts = [
            _("{time} 要請").format(time=started.strftime("%H:%M"))
            if started.date() == timezone.localdate()
            else _("{day} {time} 要請").format(day=started.strftime("%m/%d"), time=started.strftime("%H:%M")),
            call.caller.display_name,
        ]
        if call.workplace:
            parts.append(call.workplace)
        if call.reason:
            parts.append(call.reason)
        parts.append(
            _("{name}が対応中").format(name=call.taken_by.display_name)
            if call.taken_by_id
            else _("まだ誰も向かっていません")
        )
        items.append(
            TodoItem(
                obj=call,
                url=reverse("records:contact_detail", args=[call.contact_id]),
                label=str(call),
                detail=_("・").join(parts),
            )
        )
    if len(calls) > HOME_ROWS:
        total = backup_call_open_list(user=obj).count()
        waiting = backup_call_open_list(user=obj).filter(taken_at__isnull=True).count()
    else:
        total, waiting = len(calls), sum(1 for call in calls if not call.taken_by_id)
    return panel_context(items, total=total, waiting_count=waiting)


def register() -> None:
    register_panel(
        page="records.home",
        slot="todo",
        name="backup_calls.home_open_calls",
        template="backup_calls/_home_open_calls.html",
        context=home_open_calls_panel,
        order=5,
        audience=responds_in_department,
    )
    register_panel(
        page="records.contact_detail",
        slot="main",
        name="backup_calls.contact_calls",
        template="backup_calls/_contact_section.html",
        context=contact_calls_panel,
        order=10,
    )
