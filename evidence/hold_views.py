"""Legal hold (保存・削除停止) from the evidence page: set with its ground and reason,
released with a reason — by the department's supervisors and managers and the
specialist section (``services.evidence_hold_set`` / ``evidence_hold_release``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services, subjects


def _back(request, evidence):
    """The evidence page (where the panel's form was), else the page it was sent from."""
    try:
        return redirect(reverse("evidence:evidence_detail", args=[evidence.pk]))
    except NoReverseMatch:
        pass
    target = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    if evidence.post_id:  # online stream (issue 15 A)
        return redirect("online:post_detail", pk=evidence.post_id)
    found = subjects.subject_of(evidence)
    if found is not None:
        return redirect(found[0].url(found[1]))
    if evidence.case_id:
        return redirect("cases:case_detail", pk=evidence.case_id)
    return redirect("records:contact_detail", pk=evidence.contact_id)


def _refused(request, error: ValidationError) -> None:
    messages.error(request, "、".join(error.messages))


@require_POST
def hold_set(request, pk):
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    try:
        services.evidence_hold_set(
            actor=request.user,
            evidence=evidence,
            ground=request.POST.get("ground", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("保存（削除停止）を設定しました。保存期間を過ぎても削除されません。"))
    return _back(request, evidence)


@require_POST
def hold_release(request, pk):
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    try:
        services.evidence_hold_release(actor=request.user, evidence=evidence, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("保存（削除停止）を解除しました。保存期間を過ぎると削除されます。"))
    return _back(request, evidence)
