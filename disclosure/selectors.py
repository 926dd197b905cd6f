"""Reading personal-data requests: only those who may handle them (``permissions``) see any."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from . import permissions
from .choices import CorrectionDecision, RequestState
from .models import CorrectionRequest, DisclosureRequest

OPEN_STATES = (RequestState.RECEIVED, RequestState.COLLECTED, RequestState.IN_REVIEW)


def disclosure_request_list(*, user, state: str = "") -> QuerySet[DisclosureRequest]:
    """The register (開示請求の受付簿), newest first; ``state="open"``: those still to decide, due first."""
    if not permissions.may_handle_requests(user):
        return DisclosureRequest.objects.none()
    requests = DisclosureRequest.objects.select_related("resident", "collected_by", "reviewer", "decided_by").defer(
        "snapshot", "export_pdf", "export_json"
    )
    if state == "open":
        return requests.filter(state__in=OPEN_STATES).order_by("deadline", "id")
    if state in RequestState.values:
        return requests.filter(state=state)
    return requests


def disclosure_request_get(*, user, pk) -> DisclosureRequest:
    if not permissions.may_handle_requests(user):
        raise Http404("開示請求が見つかりません。")
    try:
        return DisclosureRequest.objects.select_related(
            "resident", "registered_by", "collected_by", "reviewer", "decided_by", "delivered_by"
        ).get(pk=pk)
    except (DisclosureRequest.DoesNotExist, ValueError, OverflowError) as exc:
        raise Http404("開示請求が見つかりません。") from exc


def disclosure_requests_of_resident(*, user, resident) -> QuerySet[DisclosureRequest]:
    return disclosure_request_list(user=user).filter(resident=resident)


def correction_list(*, user) -> QuerySet[CorrectionRequest]:
    if not permissions.may_handle_requests(user):
        return CorrectionRequest.objects.none()
    return CorrectionRequest.objects.select_related("resident", "registered_by", "decided_by", "disclosure_request")


def correction_get(*, user, pk) -> CorrectionRequest:
    try:
        return correction_list(user=user).get(pk=pk)
    except (CorrectionRequest.DoesNotExist, ValueError, OverflowError) as exc:
        raise Http404("訂正請求が見つかりません。") from exc


def corrections_of_resident(*, user, resident) -> QuerySet[CorrectionRequest]:
    return correction_list(user=user).filter(resident=resident)


def annotations_of_item(*, item_key: str) -> QuerySet[CorrectionRequest]:
    """The corrections decided 訂正する for one record and kept as annotations (付記): part of
    the record now, shown to whoever may see the record (the caller has checked that)."""
    return (
        CorrectionRequest.objects.filter(item_key=item_key, decision=CorrectionDecision.CORRECT, field_name="")
        .select_related("decided_by")
        .order_by("decided_at", "id")
    )
