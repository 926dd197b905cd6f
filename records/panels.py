"""The panels records draws on its own home page (``records.home`` slot ``todo``):
the contacts still waiting for a judgement. Registered in ``RecordsConfig.ready()``."""

from django.utils.translation import gettext as _

from mamoru.lib.panels import register_panel
from mamoru.policy.loader import current as current_policy

from .selectors import contact_judgement_overdue_list, contact_judgement_waiting_list

# Rows a panel lists; the rest are counted and reached through the filtered list.
PANEL_ROWS = 10


def _rows(contacts):
    rows = list(contacts[: PANEL_ROWS + 1])
    return rows[:PANEL_ROWS], len(rows) > PANEL_ROWS


def judgement_overdue_panel(*, request, obj):
    """未判断 contacts past the pack's due time: the user's own, and for a
    supervisor their department's."""
    contacts = contact_judgement_overdue_list(user=obj)
    rows, more = _rows(contacts)
    if not rows:
        return None
    return {
        "contacts": rows,
        "total": contacts.count() if more else len(rows),
        "due_hours": current_policy().judgement.due_hours,
        "title": _("判断が未入力の対応記録"),
    }


def judgement_waiting_panel(*, request, obj):
    """判断待ち: 判断に迷う contacts a supervisor has to decide."""
    contacts = contact_judgement_waiting_list(user=obj)
    rows, more = _rows(contacts)
    if not rows:
        return None
    return {"contacts": rows, "total": contacts.count() if more else len(rows)}


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
