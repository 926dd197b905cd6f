"""Pages of the export stream: a case's evidence as a ZIP (after the purpose and a
second sign-in), its 証拠一覧 (A4 PDF), and the hand-over to the police."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from accounts.signin_middleware import step_up_response
from cases.selectors import case_get

from . import permissions, selectors, services
from .export_forms import ExportForm, HandoverForm


def _case_for_export(request, pk):
    """The case (404 outside the user's scope), for those who may export it (403 otherwise)."""
    case = case_get(user=request.user, pk=pk)
    if not permissions.may_export_case(request.user, case):
        raise PermissionDenied(_("事案の証拠を書き出せるのは、その課の上司・管理職と専門部署です。"))
    return case


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def case_export(request, pk):
    """The purpose and recipient, then the ZIP streamed (custody events written first)."""
    case = _case_for_export(request, pk)
    response = step_up_response(request)  # a second sign-in before any export (issue 13 B1)
    if response is not None:
        return response
    evidence = list(selectors.evidence_of_case(user=request.user, case=case))
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            archive = services.evidence_export(
                actor=request.user,
                case=case,
                purpose=form.cleaned_data["purpose"],
                recipient=form.cleaned_data["recipient"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            response = StreamingHttpResponse(archive, content_type="application/zip")
            response["Content-Length"] = str(len(archive))
            response["Content-Disposition"] = content_disposition_header(True, archive.filename)
            response["Cache-Control"] = "no-store"
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request, "evidence/case_export.html", {"case": case, "form": form, "evidence_list": evidence}, status=status
    )


def case_evidence_list(request, pk):
    """The printable 証拠一覧 (A4 PDF)."""
    case = _case_for_export(request, pk)
    response = step_up_response(request)
    if response is not None:
        return response
    content = services.evidence_list_pdf(actor=request.user, case=case)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"evidence-list-case-{case.pk:06d}.pdf")
    response["Cache-Control"] = "no-store"
    return response


def case_handover(request, pk):
    """Record evidence handed to the police: officer, station, 受理番号, date, files."""
    case = _case_for_export(request, pk)
    evidence = [e for e in selectors.evidence_of_case(user=request.user, case=case)]
    available = [e for e in evidence if e.deleted_at is None and not e.stored_file.is_purged]
    choices = [(e.pk, f"{e.original_name}（{e.get_kind_display()}）") for e in available]
    form = HandoverForm(request.POST or None, evidence_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handover = services.evidence_handover_record(
                actor=request.user,
                case=case,
                officer=data["officer"],
                officer_rank=data["officer_rank"],
                station=data["station"],
                reference=data["reference"],
                handed_on=data["handed_on"],
                evidence_ids=data["evidence"],
                note=data["note"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("{station} への証拠 {count} 件の提出を記録しました。").format(
                    station=handover.station, count=len(data["evidence"])
                ),
            )
            return redirect(reverse("cases:case_detail", args=[case.pk]))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "evidence/case_handover.html",
        {
            "case": case,
            "form": form,
            "handovers": selectors.handover_list(user=request.user, case=case),
            "unavailable": [e for e in evidence if e not in available],
        },
        status=status,
    )
