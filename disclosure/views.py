"""Pages of personal-data requests (開示請求・訂正請求), for the specialist section."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.signin_middleware import step_up_response
from audit.services import audit_read
from mamoru.exports import export_list, requested_format
from mamoru.forms import add_service_errors
from mamoru.lib.pdf import FontMissingError
from people.held import CORRECTABLE_FIELDS, resident_item_key
from people.selectors import resident_get, resident_list

from . import exports, permissions, selectors, services
from .choices import Decision, RequestState
from .forms import (
    STAFF_NAMES,
    CorrectionDecisionForm,
    CorrectionForm,
    DecisionForm,
    DeliveryForm,
    DisclosureRequestForm,
    ExtensionForm,
    WithholdingForm,
)
from .models import Withholding


def _require(request) -> None:
    if not permissions.may_handle_requests(request.user):
        raise Http404(_("ページが見つかりません。"))


def _pk(value) -> int:
    """A primary key from the query string; anything else is a 404, never a 500."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 18:
        raise Http404(_("ページが見つかりません。"))
    return int(text)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def request_list(request):
    """The register (受付簿): every request with its deadline; open ones first by deadline."""
    _require(request)
    state = request.GET.get("state", "open")
    requests = selectors.disclosure_request_list(user=request.user, state=state)
    fmt = requested_format(request)
    if fmt:
        return export_list(
            request,
            fmt=fmt,
            listed=lambda: exports.request_list_file(requests),
            audit_action="disclosure.request.exported",
            filters={"状態": _("未決定") if state == "open" else dict(RequestState.choices).get(state, _("すべて"))},
        )
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    audit_read(
        actor=request.user, action="disclosure.request.listed", filters={"state": state}, count=page.paginator.count
    )
    today = timezone.localdate()
    for item in page.object_list:
        item.days_left = (item.due_on - today).days
        item.days_over = -item.days_left
    corrections = selectors.correction_list(user=request.user).filter(decision="")[:50]
    return _no_store(
        render(
            request,
            "disclosure/request_list.html",
            {
                "page": page,
                "state": state,
                "states": [("open", _("未決定")), ("", _("すべて")), *RequestState.choices],
                "corrections": corrections,
                "today": today,
            },
        )
    )


def request_new(request):
    """Receive a request: first find the resident (住民等), then fill in the request."""
    _require(request)
    resident_pk = request.GET.get("resident") or request.POST.get("resident")
    if not resident_pk:
        query = request.GET.get("q", "").strip()[:100]
        residents = list(resident_list(user=request.user, query=query)[:20]) if query else []
        return render(request, "disclosure/request_pick.html", {"q": query, "residents": residents})
    resident = resident_get(user=request.user, pk=_pk(resident_pk))
    form = DisclosureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.disclosure_request_register(actor=request.user, resident=resident, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("開示請求 {number} を受け付けました。").format(number=created.number))
            return redirect("disclosure:request_detail", pk=created.pk)
    return render(request, "disclosure/request_form.html", {"form": form, "resident": resident})


def request_detail(request, pk):
    item = selectors.disclosure_request_get(user=request.user, pk=pk)
    services.disclosure_request_mark_viewed(actor=request.user, request=item)
    user = request.user
    reviewing = item.state == RequestState.IN_REVIEW and item.reviewer_id == user.pk
    titles = {entry["key"]: entry["title"] for section in item.snapshot or [] for entry in section.get("items", [])}
    withholdings = list(item.withholdings.select_related("created_by"))
    for withholding in withholdings:
        withholding.item_title = titles.get(withholding.item_key, withholding.item_key)
    if item.export_json:  # decided: what was issued, as stored
        document = json.loads(item.export_json)
    else:  # before the decision: what was collected, with the parts withheld so far
        document = services.disclosure_document(item, decision=Decision.PARTIAL)
    context = {
        "item": item,
        "states": RequestState.choices,
        "document": document,
        "withholdings": withholdings,
        "reviewing": reviewing,
        "may_review": item.state == RequestState.COLLECTED and permissions.may_decide_request(user, item),
        "is_compiler": item.collected_by_id == user.pk,
        "withhold_form": WithholdingForm(snapshot=item.snapshot) if reviewing else None,
        "decision_form": DecisionForm() if reviewing else None,
        "extension_form": ExtensionForm() if item.is_open and not item.extended_deadline else None,
        "delivery_form": DeliveryForm() if item.state == RequestState.DECIDED else None,
        "corrections": item.corrections.select_related("decided_by", "registered_by"),
        "days_left": (item.due_on - timezone.localdate()).days,
        "days_over": (timezone.localdate() - item.due_on).days,
        "item_count": sum(len(section.get("items", [])) for section in item.snapshot or []),
    }
    return _no_store(render(request, "disclosure/request_detail.html", context))


def _act(request, pk, action, success: str):
    """Run a service on a request from a POST; errors come back as messages on the request's page."""
    if request.method != "POST":
        return redirect("disclosure:request_detail", pk=pk)
    item = selectors.disclosure_request_get(user=request.user, pk=pk)
    try:
        action(item)
    except (ValidationError, PermissionDenied) as error:
        text = "　".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    except FontMissingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("disclosure:request_detail", pk=pk)


@require_POST
def request_collect(request, pk):
    return _act(
        request,
        pk,
        lambda item: services.disclosure_request_collect(actor=request.user, request=item),
        _("保有個人情報を収集しました。別の職員が審査してください。"),
    )


@require_POST
def request_review(request, pk):
    return _act(
        request,
        pk,
        lambda item: services.disclosure_review_start(actor=request.user, request=item),
        _("審査を開始しました。"),
    )


@require_POST
def request_withhold(request, pk):
    item = selectors.disclosure_request_get(user=request.user, pk=pk)
    form = WithholdingForm(request.POST, snapshot=item.snapshot)
    if not form.is_valid():
        messages.error(request, _("不開示とする部分・区分・理由を入力してください。"))
        return redirect("disclosure:request_detail", pk=pk)
    item_key, label = form.target_parts()
    data = form.cleaned_data
    if item_key == STAFF_NAMES:
        return _act(
            request,
            pk,
            lambda item: services.disclosure_staff_names_set(
                actor=request.user, request=item, withhold=True, reason=data["reason"]
            ),
            _("職員の氏名を不開示としました。"),
        )
    return _act(
        request,
        pk,
        lambda item: services.disclosure_withhold(
            actor=request.user,
            request=item,
            item_key=item_key,
            field_label=label,
            ground=data["ground"],
            reason=data["reason"],
        ),
        _("不開示とする部分を追加しました。"),
    )


@require_POST
def request_withholding_remove(request, pk, withholding_pk):
    item = selectors.disclosure_request_get(user=request.user, pk=pk)
    try:
        withholding = item.withholdings.get(pk=withholding_pk)
    except (Withholding.DoesNotExist, OverflowError) as exc:
        raise Http404(_("不開示とする部分が見つかりません。")) from exc
    return _act(
        request,
        pk,
        lambda item: services.disclosure_withholding_remove(actor=request.user, withholding=withholding),
        _("不開示とする部分を取り消しました。"),
    )


@require_POST
def request_staff_names_remove(request, pk):
    return _act(
        request,
        pk,
        lambda item: services.disclosure_staff_names_set(actor=request.user, request=item, withhold=False),
        _("職員の氏名の不開示を取り消しました。"),
    )


@require_POST
def request_decide(request, pk):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("決定と決定日を入力してください。"))
        return redirect("disclosure:request_detail", pk=pk)
    data = form.cleaned_data
    return _act(
        request,
        pk,
        lambda item: services.disclosure_request_decide(
            actor=request.user,
            request=item,
            decision=data["decision"],
            reason=data["reason"],
            decided_on=data["decided_on"],
        ),
        _("決定しました。通知書と開示する情報（PDF・JSON）を作成しました。"),
    )


@require_POST
def request_extend(request, pk):
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("延長の理由を入力してください。"))
        return redirect("disclosure:request_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda item: services.disclosure_request_extend(
            actor=request.user, request=item, reason=form.cleaned_data["extension_reason"]
        ),
        _("決定期限を延長しました。請求者に延長の期間と理由を書面で通知してください。"),
    )


@require_POST
def request_deliver(request, pk):
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("交付日を入力してください。"))
        return redirect("disclosure:request_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda item: services.disclosure_request_deliver(actor=request.user, request=item, **form.cleaned_data),
        _("交付を記録しました。"),
    )


def _download(content, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return _no_store(response)


def request_export(request, pk, fmt):
    """The export as decided (stored bytes), PDF or JSON; every download is audited."""
    if fmt not in ("pdf", "json"):
        raise Http404(_("ページが見つかりません。"))
    item = selectors.disclosure_request_get(user=request.user, pk=pk)
    if item.state not in (RequestState.DECIDED, RequestState.DELIVERED) or not item.export_json:
        raise Http404(_("決定前の開示請求には開示文書がありません。"))
    # A second sign-in before every export (issue 13 B1), then the export, audited.
    response = step_up_response(request)
    if response is not None:
        return response
    audit_read(actor=request.user, action="disclosure.export.downloaded", obj=item, filters={"format": fmt})
    name = _("開示決定_{number}_{resident}").format(number=item.number, resident=item.resident.name)
    if fmt == "pdf":
        return _download(bytes(item.export_pdf), f"{name}.pdf", "application/pdf")
    return _download(item.export_json.encode("utf-8"), f"{name}.json", "application/json; charset=utf-8")


def request_preview(request, pk):
    """A 見本 PDF of what would be disclosed with the withholdings so far (for the reviewer)."""
    item = selectors.disclosure_request_get(user=request.user, pk=pk)
    if item.state not in (RequestState.COLLECTED, RequestState.IN_REVIEW):
        raise Http404(_("見本を表示できるのは収集後・決定前の開示請求のみです。"))
    decision = Decision.PARTIAL if item.withholdings.exists() or item.withhold_staff_names else Decision.FULL
    try:
        content = services.disclosure_pdf(item, services.disclosure_document(item, decision=decision), sample=True)
    except FontMissingError as error:
        messages.error(request, str(error))
        return redirect("disclosure:request_detail", pk=pk)
    audit_read(actor=request.user, action="disclosure.export.previewed", obj=item)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, _("見本_{number}.pdf").format(number=item.number)
    )
    return _no_store(response)


# --- corrections ---------------------------------------------------------------------------------


def _correction_targets(resident, disclosure_request) -> list[tuple[str, str]]:
    key = resident_item_key(resident)
    targets = [
        (f"{key}|{name}", _("登録情報：{label}").format(label=label)) for name, label in CORRECTABLE_FIELDS.items()
    ]
    if disclosure_request is not None:
        for section in disclosure_request.snapshot or []:
            for entry in section.get("items", []):
                if entry["key"] != key:
                    targets.append((f"{entry['key']}|", f"{section['title']}：{entry['title']}"))
    return targets


def correction_new(request):
    _require(request)
    disclosure_request = None
    if request.GET.get("request"):
        disclosure_request = selectors.disclosure_request_get(user=request.user, pk=_pk(request.GET["request"]))
        resident = disclosure_request.resident
    else:
        resident = resident_get(user=request.user, pk=_pk(request.GET.get("resident")))
    targets = _correction_targets(resident, disclosure_request)
    form = CorrectionForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["target"] == "__other__":
            item_key, field_name, title = "", "", data["other_title"]
        else:
            item_key, _sep, field_name = data["target"].partition("|")
            title = form.targets.get(data["target"], "")
        current_text = data["current_text"]
        if field_name and not current_text:
            current_text = getattr(resident, field_name, "")
        try:
            correction = services.correction_register(
                actor=request.user,
                resident=resident,
                disclosure_request=disclosure_request,
                received_on=data["received_on"],
                identity_document=data["identity_document"],
                item_key=item_key,
                item_title=title,
                field_name=field_name,
                current_text=current_text,
                requested_text=data["requested_text"],
                grounds=data["grounds"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("訂正請求を受け付けました。別の職員が決定してください。"))
            return redirect("disclosure:correction_detail", pk=correction.pk)
    return render(
        request,
        "disclosure/correction_form.html",
        {"form": form, "resident": resident, "disclosure_request": disclosure_request},
    )


@require_POST
def correction_extend(request, pk):
    correction = selectors.correction_get(user=request.user, pk=pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("延長の理由を入力してください。"))
    else:
        try:
            services.correction_extend(
                actor=request.user, correction=correction, reason=form.cleaned_data["extension_reason"]
            )
        except ValidationError as error:
            messages.error(request, "　".join(error.messages))
        else:
            messages.success(request, _("決定期限を延長しました。請求者に延長の期間と理由を書面で通知してください。"))
    return redirect("disclosure:correction_detail", pk=pk)


def correction_detail(request, pk):
    correction = selectors.correction_get(user=request.user, pk=pk)
    audit_read(actor=request.user, action="disclosure.correction.viewed", obj=correction)
    form = None
    if not correction.decision and permissions.may_decide_correction(request.user, correction):
        form = CorrectionDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.correction_decide(actor=request.user, correction=correction, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                if isinstance(error, ValidationError):
                    add_service_errors(form, error)
                else:
                    form.add_error(None, str(error))
            else:
                messages.success(request, _("訂正請求について決定しました。"))
                return redirect("disclosure:correction_detail", pk=correction.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("訂正請求の決定は、受け付けた職員とは別の職員が行ってください。"))
    return _no_store(
        render(
            request,
            "disclosure/correction_detail.html",
            {
                "correction": correction,
                "form": form,
                "days_left": (correction.due_on - timezone.localdate()).days,
                "extension_form": ExtensionForm()
                if not correction.decision and not correction.extended_deadline
                else None,
            },
        )
    )
