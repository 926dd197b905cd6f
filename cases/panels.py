"""What cases adds to the pages of the apps it builds on, registered in
``CasesConfig.ready()``: the contact's case (or 「事案として報告」) on the
contact page; on the home page of a department's 上司 and 管理職, the cases reported
and not yet confirmed and the care follow-ups due. Reads only."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mamoru.lib.panels import register_panel
from mamoru.lib.todo import HOME_ROWS, TodoItem, panel_context
from mamoru.policy.loader import current as current_policy

from .permissions import may_confirm_cases, may_view_staff_care
from .selectors import case_for_contact, case_to_confirm_list, follow_up_due_list


def contact_case_panel(*, request, obj):
    """The case the contact belongs to, if the user may see it; else the button that reports it."""
    return {"contact": obj, "case": case_for_contact(user=request.user, contact=obj)}


def home_cases_to_confirm_panel(*, request, obj):
    """Cases of the department still 報告 (the pack's first state): oldest first."""
    cases = list(case_to_confirm_list(user=obj)[: HOME_ROWS + 1])
    if not cases:
        return None
    items = []
    for case in cases[:HOME_ROWS]:
        parts = [str(case.resident) if case.resident_id else _("住民等不明")]
        if case.summary:
            parts.append(case.summary[:40] + ("…" if len(case.summary) > 40 else ""))
        parts.append(_("担当 {name}").format(name=case.handler.display_name) if case.handler_id else _("担当者未定"))
        items.append(
            TodoItem(
                obj=case,
                url=reverse("cases:case_detail", args=[case.pk]),
                label=str(case),
                detail=_("・").join(parts),
                due=timezone.localtime(case.opened_at),
                due_text=_("報告"),
            )
        )
    return panel_context(
        items,
        total=case_to_confirm_list(user=obj).count() if len(cases) > HOME_ROWS else len(cases),
        state_name=current_policy().case_state_name(current_policy().case_state_codes()[0]),
        list_url=reverse("cases:case_open_list"),
    )


def home_follow_ups_panel(*, request, obj):
    """Care follow-ups not done: those the user recorded due within a week, and for a
    管理職 every overdue one of the department; overdue first."""
    today = timezone.localdate()
    follow_ups = follow_up_due_list(user=obj, today=today)
    rows = list(follow_ups[: HOME_ROWS + 1])
    if not rows:
        return None
    kind_name = current_policy().follow_up_kind_name
    items = [
        TodoItem(
            obj=follow_up,
            url=reverse("cases:case_detail", args=[follow_up.case_id]) + f"#follow-up-{follow_up.pk}",
            label=_("{staff}：{kind}").format(staff=follow_up.staff.display_name, kind=kind_name(follow_up.kind)),
            detail=str(follow_up.case),
            due=follow_up.due_date,
            overdue=follow_up.due_date < today,
        )
        for follow_up in rows[:HOME_ROWS]
    ]
    more = len(rows) > HOME_ROWS
    return panel_context(
        items,
        total=follow_ups.count() if more else len(rows),
        overdue_count=follow_ups.filter(due_date__lt=today).count() if more else None,
        list_url=reverse("cases:staff_care") if may_view_staff_care(obj) else "",
    )


def register() -> None:
    register_panel(
        page="records.home",
        slot="todo",
        name="cases.home_cases_to_confirm",
        template="cases/_home_cases_to_confirm.html",
        context=home_cases_to_confirm_panel,
        order=30,
        audience=may_confirm_cases,
    )
    register_panel(
        page="records.home",
        slot="todo",
        name="cases.home_follow_ups",
        template="cases/_home_follow_ups.html",
        context=home_follow_ups_panel,
        order=40,
        audience=may_confirm_cases,
    )
    register_panel(
        page="records.contact_detail",
        slot="main",
        name="cases.contact_case",
        template="cases/_contact_case.html",
        context=contact_case_panel,
        order=20,
    )
