"""What records adds to pages, registered in ``RecordsConfig.ready()``. Reads only.

- its own home page (``records.home`` slot ``todo``): the contacts still waiting for a judgement;
- the pages of people (residents): the buttons that start a contact with the resident, the resident's contacts
  counted by department, their history, and the counts beside each other on the merge page."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mamoru.lib.panels import register_panel
from mamoru.lib.todo import HOME_ROWS, TodoItem, panel_context
from mamoru.policy.loader import current as current_policy

from .selectors import (
    contact_department_counts,
    contact_judgement_undecided_list,
    contact_judgement_waiting_list,
    contact_resident_page,
)

# Rows a panel lists; the rest are counted and reached through the filtered list.
PANEL_ROWS = 10


def _rows(contacts):
    rows = list(contacts[: PANEL_ROWS + 1])
    return rows[:PANEL_ROWS], len(rows) > PANEL_ROWS


def _contact_detail(contact) -> str:
    parts = [
        str(contact.department),
        contact.staff.display_name,
        str(contact.resident) if contact.resident else _("住民等不明"),
    ]
    if contact.summary:
        parts.append(contact.summary[:40] + ("…" if len(contact.summary) > 40 else ""))
    return _("・").join(parts)


def judgement_overdue_panel(*, request, obj):
    """未判断 ended contacts: the user's own (with the pack's due time, overdue first), and
    for a supervisor or above their department's overdue ones."""
    now = timezone.now()
    contacts = contact_judgement_undecided_list(user=obj, now=now)
    rows = list(contacts[: HOME_ROWS + 1])
    if not rows:
        return None
    due_hours = current_policy().judgement.due_hours
    items = []
    for contact in rows[:HOME_ROWS]:
        due = contact.ended_at + dt.timedelta(hours=due_hours)
        items.append(
            TodoItem(
                obj=contact,
                url=reverse("records:contact_edit", args=[contact.pk]) + "#judgement",
                label=str(contact),
                detail=_contact_detail(contact),
                due=due,
                overdue=due < now,
                due_text=_("判断の入力期限"),
            )
        )
    more = len(rows) > HOME_ROWS
    return panel_context(
        items,
        total=contacts.count() if more else len(rows),
        overdue_count=contacts.filter(ended_at__lt=now - dt.timedelta(hours=due_hours)).count() if more else None,
        due_hours=due_hours,
        title=_("判断が未入力の対応記録"),
        list_url=reverse("records:contact_list") + "?harassment=undecided",
    )


def judgement_waiting_panel(*, request, obj):
    """判断待ち: 判断に迷う contacts a supervisor has to decide."""
    contacts = contact_judgement_waiting_list(user=obj)
    rows, more = _rows(contacts)
    if not rows:
        return None
    return {"contacts": rows, "total": contacts.count() if more else len(rows)}


def resident_start_panel(*, request, obj):
    """▶ 対応開始 with this resident (the page shows it only for a resident not merged away)."""
    if obj.merged_into_id is not None or not request.user.handles_records:
        return None
    return {"resident": obj}


def resident_department_counts_panel(*, request, obj):
    """課ごとの対応件数 of the resident, in the departments the user may see."""
    return {"department_counts": contact_department_counts(user=request.user, resident=obj)}


def resident_contacts_panel(*, request, obj):
    """対応履歴: a page of the resident's contacts the user may see, newest first."""
    return {"page": contact_resident_page(user=request.user, resident=obj, number=request.GET.get("page"))}


def resident_merge_counts_panel(*, request, obj):
    """A row of the merge page's comparison (``obj``: the residents side by side)."""
    return {"columns": [contact_department_counts(user=request.user, resident=resident) for resident in obj]}


def register() -> None:
    register_panel(
        page="records.home",
        slot="todo",
        name="records.judgement_waiting",
        template="records/_judgement_waiting.html",
        context=judgement_waiting_panel,
        order=10,
    )
    register_panel(
        page="records.home",
        slot="todo",
        name="records.judgement_overdue",
        template="records/_judgement_overdue.html",
        context=judgement_overdue_panel,
        order=20,
    )
    register_panel(
        page="people.resident_detail",
        slot="actions",
        name="records.resident_start",
        template="records/_resident_start.html",
        context=resident_start_panel,
        order=10,
    )
    register_panel(
        page="people.resident_detail",
        slot="main",
        name="records.resident_department_counts",
        template="records/_resident_department_counts.html",
        context=resident_department_counts_panel,
        order=10,
    )
    register_panel(
        page="people.resident_detail",
        slot="bottom",
        name="records.resident_contacts",
        template="records/_resident_contacts.html",
        context=resident_contacts_panel,
        order=10,
    )
    register_panel(
        page="people.resident_merge",
        slot="compare",
        name="records.resident_merge_counts",
        template="records/_resident_merge_counts.html",
        context=resident_merge_counts_panel,
        order=10,
    )
