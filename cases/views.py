"""Case pages: thin views over cases.services and cases.selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_read
from mamoru.exports import export_list, requested_format
from mamoru.policy.loader import current as current_policy
from records.selectors import contact_get

from . import exports, selectors, services
from .forms import (
    CaseHandlerForm,
    CaseListFilterForm,
    CaseStateForm,
    CaseStepForm,
    FollowUpCompleteForm,
    FollowUpForm,
)
from .permissions import may_act_on_case, may_see_all_follow_ups, may_view_staff_care, require_case_handler

# The case list's filter (?state=) as the audit log and an export's first line say it.
SHOWN_LABELS = {"open": "対応中", "closed": "終結", "all": "すべて"}


def _refused(request, error: ValidationError) -> None:
    messages.error(request, "、".join(error.messages))


def _refused_form(request, form) -> None:
    """The form's own errors, shown the same way as a service's refusal."""
    messages.error(request, "、".join(e for errors in form.errors.values() for e in errors))


def case_list(request):
    require_case_handler(request.user)
    shown = request.GET.get("state", "open")
    cases = selectors.case_list_for_display(user=request.user)
    if shown == "open":
        cases = cases.filter(closed_at__isnull=True)
    elif shown == "closed":
        cases = cases.filter(closed_at__isnull=False)
    narrowing = CaseListFilterForm(request.GET)
    narrowed = {}
    if narrowing.is_valid():
        narrowed = narrowing.describe()
        cases = selectors.case_list_narrowed(cases, **narrowing.cleaned_data)
    else:
        _refused_form(request, narrowing)
    fmt = requested_format(request)
    if fmt:
        return export_list(
            request,
            fmt=fmt,
            listed=lambda: exports.case_list_file(cases),
            audit_action="cases.case.exported",
            filters={"状態": SHOWN_LABELS.get(shown, shown), **narrowed},
        )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    audit_read(
        actor=request.user,
        action="cases.case.listed",
        filters={"状態": shown, **narrowed, "ページ": page.number},
        count=page.paginator.count,
    )
    query = request.GET.copy()
    query.pop("page", None)
    query["state"] = shown
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "shown": shown,
            "narrowed": narrowed,
            "query_string": query.urlencode(),
            "can_view_staff_care": may_view_staff_care(request.user),
        },
    )


def case_open_list(request):
    """Open cases, those nobody handles and the longest untouched first (the
    specialist section's page; others see their own department's)."""
    require_case_handler(request.user)
    fmt = requested_format(request)
    if fmt:
        return export_list(
            request,
            fmt=fmt,
            listed=lambda: exports.case_list_file(selectors.case_open_list(user=request.user)),
            audit_action="cases.case.exported",
            filters={"状態": _("未終結（未対応・古い順）")},
        )
    page = Paginator(selectors.case_open_list(user=request.user), 100).get_page(request.GET.get("page"))
    audit_read(
        actor=request.user,
        action="cases.case.open_listed",
        filters={"ページ": page.number},
        count=page.paginator.count,
    )
    return render(request, "cases/case_open_list.html", {"page": page, "now": timezone.now()})


def _detail_context(request, case):
    forward, back = selectors.case_next_states(case=case)
    return {
        "case": case,
        "events": selectors.case_timeline(case=case),
        "contacts": case.contacts.filter(deleted_at__isnull=True)
        .select_related("staff", "department")
        .order_by("started_at"),
        "forward": forward,
        "back": back,
        "step_buttons": selectors.case_step_buttons(case=case),
        "follow_ups": selectors.follow_up_list(user=request.user, case=case),
        "follow_ups_limited": not may_see_all_follow_ups(request.user, case.department_id),
        "today": timezone.localdate(),
    }


def case_detail(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    services.case_mark_viewed(actor=request.user, case=case)
    context = _detail_context(request, case)
    if may_act_on_case(request.user, case):
        context["handler_form"] = CaseHandlerForm(initial={"handler": case.handler_id}, user=request.user)
        context["follow_up_form"] = FollowUpForm(user=request.user)
    context["state_form"] = CaseStateForm()
    context["step_form"] = CaseStepForm()
    return render(request, "cases/case_detail.html", context)


def case_print(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    services.case_mark_viewed(actor=request.user, case=case, printed=True)
    return render(request, "cases/case_print.html", {**_detail_context(request, case), "printed_at": timezone.now()})


@require_POST
def case_state(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    form = CaseStateForm(request.POST)
    if form.is_valid():
        try:
            case = services.case_change_state(
                actor=request.user, case=case, state=form.cleaned_data["state"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("状態を「{state}」にしました。").format(state=case.state_name))
    else:
        _refused(request, ValidationError(list(form.errors.values())))
    return redirect("cases:case_detail", pk=pk)


@require_POST
def case_step(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    form = CaseStepForm(request.POST)
    if form.is_valid():
        try:
            event = services.case_record_step(
                actor=request.user,
                case=case,
                step=form.cleaned_data["step"],
                note=form.cleaned_data["note"],
                occurred_at=form.cleaned_data["occurred_at"],
                details=form.details(),
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            label = selectors.event_label(event.kind)
            if event.count:
                label = _("{label}（{count}回目）").format(label=label, count=event.count)
            messages.success(request, _("「{label}」を記録しました。").format(label=label))
    else:
        _refused_form(request, form)
    return redirect("cases:case_detail", pk=pk)


@require_POST
def case_handler(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    form = CaseHandlerForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.case_assign_handler(actor=request.user, case=case, handler=form.cleaned_data["handler"])
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("担当者を変更しました。"))
    else:
        _refused_form(request, form)
    return redirect("cases:case_detail", pk=pk)


@require_POST
def follow_up_create(request, pk):
    case = selectors.case_get(user=request.user, pk=pk)
    if not may_act_on_case(request.user, case):
        raise PermissionDenied(_("職員のケアを記録できるのは上司・管理職・専門部署のみです。"))
    form = FollowUpForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.follow_up_record(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("職員のケアを記録しました。"))
    else:
        _refused_form(request, form)
    return redirect("cases:case_detail", pk=pk)


@require_POST
def follow_up_complete(request, pk):
    follow_up = selectors.follow_up_get(user=request.user, pk=pk)
    form = FollowUpCompleteForm(request.POST)
    form.is_valid()
    try:
        services.follow_up_complete(actor=request.user, follow_up=follow_up, note=form.cleaned_data.get("note", ""))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("実施済みにしました。"))
    return redirect("cases:case_detail", pk=follow_up.case_id)


@require_POST
def case_report(request, contact_pk):
    """「事案として報告」 on a contact's page, without a harassment judgement."""
    contact = contact_get(user=request.user, pk=contact_pk)
    case = services.case_open_or_join(actor=request.user, contact=contact, reason="report")
    messages.success(
        request,
        _("{case}として報告しました。上司・管理職と{section}に通知しました。").format(
            case=case, section=current_policy().city.specialist_section
        ),
    )
    return redirect("cases:case_detail", pk=case.pk)


def staff_care(request):
    """Per member of staff: harassment contacts in the last 90 days and overdue
    follow-ups, to decide rotation. Managers and the specialist section only."""
    if not may_view_staff_care(request.user):
        raise PermissionDenied(_("このページは管理職と専門部署のみが閲覧できます。"))
    staff = list(selectors.staff_care_list(user=request.user))
    audit_read(
        actor=request.user,
        action="cases.staff_care.viewed",
        filters={"期間（日）": selectors.STAFF_CARE_DAYS},
        count=len(staff),
    )
    return render(request, "cases/staff_care.html", {"staff": staff, "days": selectors.STAFF_CARE_DAYS})
