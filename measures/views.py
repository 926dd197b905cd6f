"""Measure pages: thin views over measures.services and measures.selectors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions as base_permissions
from accounts.selectors import department_visible_ids
from audit.services import audit_read
from letters.services import letter_preview
from letters.views import issued_letter_response, pdf_response
from mamoru.exports import export_list, requested_format
from mamoru.forms import add_service_errors
from mamoru.lib.pdf import FontMissingError
from people.selectors import resident_get
from records.selectors import contact_get

from . import exports, permissions, selectors, services
from .choices import MeasureStatus
from .forms import AppealDecideForm, AppealForm, DecisionForm, MeasureForm, MeasureListFilterForm, WithdrawForm
from .models import MeasureAppeal


def _require_drafter(request):
    permissions.require_drafter(request.user, _("措置を起案・発出できるのは専門部署の職員のみです。"))


def _refused(request, error: ValidationError) -> None:
    messages.error(request, "、".join(error.messages))


def measure_list(request):
    if not base_permissions.handles_contacts(request.user):
        raise PermissionDenied(_("措置を扱う権限がありません。"))
    measures = selectors.measure_list(user=request.user)
    status = request.GET.get("status", "")
    if status in MeasureStatus.values:
        measures = measures.filter(status=status)
    narrowing = MeasureListFilterForm(request.GET)
    narrowed = {}
    if narrowing.is_valid():
        narrowed = narrowing.describe()
        measures = selectors.measure_list_narrowed(measures, **narrowing.cleaned_data)
    else:
        messages.error(request, "、".join(e for errors in narrowing.errors.values() for e in errors))
    fmt = requested_format(request)
    if fmt:
        return export_list(
            request,
            fmt=fmt,
            listed=lambda: exports.measure_list_file(measures),
            audit_action="measures.measure.exported",
            filters={"状態": dict(MeasureStatus.choices).get(status, ""), **narrowed},
        )
    page = Paginator(measures, 50).get_page(request.GET.get("page"))
    audit_read(
        actor=request.user,
        action="measures.measure.listed",
        filters={"状態": status if status in MeasureStatus.values else "", **narrowed, "ページ": page.number},
        count=page.paginator.count,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "measures/measure_list.html",
        {
            "page": page,
            "status": status,
            "statuses": MeasureStatus.choices,
            "narrowed": narrowed,
            "query_string": query.urlencode(),
        },
    )


def measure_inbox(request):
    """決裁待ち: measures waiting for the user's approval."""
    measures = list(selectors.measure_pending_for(user=request.user))
    audit_read(actor=request.user, action="measures.measure.inbox_listed", count=len(measures))
    return render(request, "measures/measure_inbox.html", {"measures": measures})


def measure_new(request, resident_pk):
    _require_drafter(request)
    resident = resident_get(user=request.user, pk=resident_pk)
    if not permissions.may_draft_for(request.user, resident):
        messages.error(request, _("この住民等は他の住民等に統合されています。統合先の住民等で起案してください。"))
        return redirect("people:resident_detail", pk=resident.merged_into_id or resident.pk)
    contacts = selectors.resident_contacts_for_measure(user=request.user, resident=resident)
    form = MeasureForm(request.POST or None, contacts=contacts, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.measure_draft(
                actor=request.user, resident=resident, kind=form.cleaned_data["kind"], terms=form.terms()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("措置を起案しました。内容を確認して決裁に回してください。"))
            return redirect("measures:measure_detail", pk=measure.pk)
    return render(request, "measures/measure_form.html", {"form": form, "resident": resident, "measure": None})


def measure_edit(request, pk):
    _require_drafter(request)
    measure = selectors.measure_get(user=request.user, pk=pk)
    if not measure.is_editable:
        messages.error(request, _("起案中または差戻しの措置のみ修正できます。"))
        return redirect("measures:measure_detail", pk=pk)
    contacts = selectors.resident_contacts_for_measure(user=request.user, resident=measure.resident)
    if request.method == "POST":
        form = MeasureForm(request.POST, contacts=contacts, editing=True, initial={"kind": measure.kind})
        if form.is_valid():
            try:
                services.measure_update(actor=request.user, measure=measure, terms=form.terms())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("措置の起案内容を修正しました。"))
                return redirect("measures:measure_detail", pk=pk)
    else:
        form = MeasureForm(initial=MeasureForm.initial_for(measure), contacts=contacts, editing=True)
    return render(
        request, "measures/measure_form.html", {"form": form, "resident": measure.resident, "measure": measure}
    )


def measure_detail(request, pk):
    measure = selectors.measure_with_details(selectors.measure_get(user=request.user, pk=pk))
    user = request.user
    step = selectors.measure_current_step(measure)
    steps = selectors.measure_steps(measure)
    can_decide = permissions.may_approve_step(
        user,
        measure,
        step=step,
        role=steps[step] if step is not None else None,
        approvals=list(measure.approvals.all()),
    )
    visible = set(department_visible_ids(user=user))
    # Each contact opens where this user may read it: records' page, or (for the
    # approver the measure waits for) the audited read through the measure.
    contacts = [
        (contact, "records" if contact.department_id in visible else "approver" if can_decide else "")
        for contact in measure.contacts.all()
        if contact.deleted_at is None
    ]
    may_draft = permissions.may_draft(user)
    audit_read(actor=user, action="measures.measure.viewed", obj=measure)
    return render(
        request,
        "measures/measure_detail.html",
        {
            "measure": measure,
            "steps": [(index, selectors.step_label(measure, role)) for index, role in enumerate(steps)],
            "contacts": contacts,
            "has_letter": selectors.measure_has_letter(measure),
            "can_preview": selectors.measure_has_letter(measure)
            and measure.status
            in (MeasureStatus.DRAFT, MeasureStatus.SENT_BACK, MeasureStatus.PENDING, MeasureStatus.APPROVED),
            "current_step": step,
            "approvals": [a for a in measure.approvals.all()],
            "can_decide": can_decide,
            "decision_form": DecisionForm(),
            "withdraw_form": WithdrawForm(),
            "appeal_form": AppealForm(),
            "appeal_decide_form": AppealDecideForm(),
            "is_specialist": may_draft,
            "can_appeal": may_draft
            and measure.status in (MeasureStatus.ISSUED, MeasureStatus.WITHDRAWN, MeasureStatus.ENDED),
            "can_withdraw": may_draft and measure.status not in (MeasureStatus.WITHDRAWN, MeasureStatus.ENDED),
        },
    )


def _act(request, pk, action, success: str):
    measure = selectors.measure_get(user=request.user, pk=pk)
    try:
        action(measure)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, success)
    return redirect("measures:measure_detail", pk=pk)


@require_POST
def measure_submit(request, pk):
    return _act(
        request,
        pk,
        lambda m: services.measure_submit(actor=request.user, measure=m),
        _("決裁に回しました。"),
    )


@require_POST
def measure_approve(request, pk):
    comment = request.POST.get("comment", "")
    return _act(
        request,
        pk,
        lambda m: services.measure_approve(actor=request.user, measure=m, comment=comment),
        _("決裁しました。"),
    )


@require_POST
def measure_send_back(request, pk):
    comment = request.POST.get("comment", "")
    return _act(
        request,
        pk,
        lambda m: services.measure_send_back(actor=request.user, measure=m, comment=comment),
        _("差し戻しました。"),
    )


@require_POST
def measure_issue(request, pk):
    return _act(request, pk, lambda m: services.measure_issue(actor=request.user, measure=m), _("措置を発出しました。"))


@require_POST
def measure_withdraw(request, pk):
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        lambda m: services.measure_withdraw(actor=request.user, measure=m, reason=reason),
        _("措置を撤回しました。"),
    )


@require_POST
def measure_appeal(request, pk):
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, "、".join(e for errors in form.errors.values() for e in errors))
        return redirect("measures:measure_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda m: services.measure_appeal_record(actor=request.user, measure=m, **form.cleaned_data),
        _("不服の申出を記録しました。"),
    )


@require_POST
def measure_appeal_decide(request, pk, appeal_pk):
    measure = selectors.measure_get(user=request.user, pk=pk)
    appeal = get_object_or_404(MeasureAppeal, pk=appeal_pk, measure=measure)
    try:
        services.measure_appeal_decide(
            actor=request.user,
            appeal=appeal,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("不服の申出への判断を記録しました。"))
    return redirect("measures:measure_detail", pk=pk)


def measure_letter(request, pk):
    """The issued letter's stored PDF, exactly as issued."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    if measure.letter_id is None:
        raise PermissionDenied(_("この措置には通知文書がありません。"))
    audit_read(actor=request.user, action="measures.letter.downloaded", obj=measure)
    return issued_letter_response(measure.letter, as_attachment=True)


@require_GET
def measure_contact(request, pk, contact_pk):
    """A contact linked to the measure, read by an approver the measure waits
    for (also of another department). Audited; 404 to anyone else."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    contact = selectors.measure_linked_contact(measure=measure, pk=contact_pk)
    services.measure_contact_read(actor=request.user, measure=measure, contact=contact)
    return render(request, "measures/measure_contact.html", {"measure": measure, "contact": contact})


@require_GET
def measure_letter_preview(request, pk):
    """The letter as it would be issued today, marked 見本: no number is taken
    and nothing is stored. For the drafter and the approvers before issue."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    if not selectors.measure_has_letter(measure):
        raise PermissionDenied(_("この措置には通知文書がありません。"))
    if measure.status in (MeasureStatus.ISSUED, MeasureStatus.WITHDRAWN, MeasureStatus.ENDED):
        messages.error(request, _("発出後の通知文書は、発出したものをご覧ください。"))
        return redirect("measures:measure_detail", pk=pk)
    context = selectors.measure_letter_context(measure=measure, issued_on=timezone.localdate())
    try:
        content = letter_preview(measure_code=measure.kind, context=context)
    except (ValidationError, FontMissingError) as error:
        messages.error(request, "、".join(getattr(error, "messages", None) or [str(error)]))
        return redirect("measures:measure_detail", pk=pk)
    audit_read(actor=request.user, action="measures.letter.previewed", obj=measure)
    return pdf_response(content, _("見本_{title}.pdf").format(title=measure.title))


@require_GET
def contact_restriction_breaches(request, contact_pk):
    """The conditions of the resident's restriction a live contact breaks now
    (htmx: the notice beside the clock asks every 30 seconds)."""
    contact = contact_get(user=request.user, pk=contact_pk)
    breaches = selectors.contact_restriction_breaches(contact=contact)
    return render(request, "measures/_restriction_breaches.html", {"breaches": breaches})


@require_GET
def measure_facts_draft(request, resident_pk):
    """The letter's 「事実」 drafted from the contacts ticked on the draft form
    (htmx: replaces the facts box; without JavaScript they are drafted on saving)."""
    _require_drafter(request)
    resident = resident_get(user=request.user, pk=resident_pk)
    ids = [value for value in request.GET.getlist("contacts") if value.isdigit()]
    contacts = selectors.resident_contacts_for_measure(user=request.user, resident=resident).filter(pk__in=ids)
    form = MeasureForm(initial={"facts": selectors.measure_facts_draft(contacts=list(contacts))}, contacts=contacts)
    return render(request, "measures/_facts_field.html", {"field": form["facts"]})
