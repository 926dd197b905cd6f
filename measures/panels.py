"""What measures adds to the pages of the apps it builds on, registered in
``MeasuresConfig.ready()``: the restriction beside a live contact's clock, the
restriction section of the contact form, the resident's measures, and the
「対応制限中」 badge of residents in lists. Reads only."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as base_permissions
from mamoru.lib.panels import register_panel
from mamoru.lib.todo import HOME_ROWS, TodoItem, panel_context

from . import permissions
from .choices import MeasureStatus
from .selectors import (
    contact_restriction_breaches,
    measure_active_for_residents,
    measure_appeal_open_list,
    measure_drafts_list,
    measure_list,
    measure_pending_for,
    measure_restriction_for,
    measure_review_due_list,
    measure_steps,
    measure_timeline,
    step_label,
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


def _detail_url(measure) -> str:
    return reverse("measures:measure_detail", args=[measure.pk])


def home_approvals_panel(*, request, obj):
    """決裁待ち: the measures waiting for this user's approval, oldest first (the inbox)."""
    measures = measure_pending_for(user=obj)
    if not measures:
        return None
    items = [
        TodoItem(
            obj=measure,
            url=_detail_url(measure),
            label=str(measure),
            detail=_("{step}の決裁・主管課 {department}").format(
                step=step_label(measure, measure_steps(measure)[measure.waiting_step]),
                department=measure.lead_department.name,
            ),
            due=timezone.localtime(measure.drafted_at),
            due_text=_("起案"),
        )
        for measure in measures[:HOME_ROWS]
    ]
    return panel_context(items, total=len(measures), list_url=reverse("measures:measure_inbox"))


def _draft_note(measure) -> str:
    notes = {
        MeasureStatus.DRAFT: _("起案中：内容を確認して決裁に回してください"),
        MeasureStatus.SENT_BACK: _("差戻し：修正して決裁に回してください"),
        MeasureStatus.APPROVED: _("決裁済：通知書を発出してください"),
    }
    return notes.get(measure.status, measure.get_status_display())


def home_drafting_panel(*, request, obj):
    """For the specialist section: reviews due (overdue first), then drafts, measures sent
    back and approved measures to issue, then appeals to decide."""
    today = timezone.localdate()
    reviews = measure_review_due_list(user=obj, today=today)
    drafts_qs = measure_drafts_list(user=obj)
    drafts = list(drafts_qs[: HOME_ROWS + 1])
    appeals_qs = measure_appeal_open_list(user=obj)
    appeals = list(appeals_qs[: HOME_ROWS + 1])
    if not (reviews or drafts or appeals):
        return None
    items = [
        TodoItem(
            obj=measure,
            url=_detail_url(measure),
            label=str(measure),
            detail=_("発出済：見直しの時期です"),
            due=measure.review_on,
            overdue=measure.review_on < today,
            due_text=_("見直し日"),
        )
        for measure in reviews
    ]
    items += [
        TodoItem(
            obj=measure,
            url=_detail_url(measure),
            label=str(measure),
            detail=_draft_note(measure),
        )
        for measure in drafts[:HOME_ROWS]
    ]
    items += [
        TodoItem(
            obj=appeal,
            url=_detail_url(appeal.measure),
            label=str(appeal.measure),
            detail=_("不服の申出：判断を記録してください"),
            due=appeal.received_on,
            due_text=_("受付"),
        )
        for appeal in appeals[:HOME_ROWS]
    ]
    total = (
        len(reviews)
        + (drafts_qs.count() if len(drafts) > HOME_ROWS else len(drafts))
        + (appeals_qs.count() if len(appeals) > HOME_ROWS else len(appeals))
    )
    return panel_context(
        items,
        total=total,
        overdue_count=sum(1 for measure in reviews if measure.review_on < today),
        list_url=reverse("measures:measure_list"),
    )


def register() -> None:
    register_panel(
        page="records.home",
        slot="todo",
        name="measures.home_approvals",
        template="measures/_home_approvals.html",
        context=home_approvals_panel,
        order=15,
        audience=permissions.may_view_measures,
    )
    register_panel(
        page="records.home",
        slot="todo",
        name="measures.home_drafting",
        template="measures/_home_drafting.html",
        context=home_drafting_panel,
        order=50,
        audience=permissions.may_draft,
    )
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
