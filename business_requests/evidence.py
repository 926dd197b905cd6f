"""The files a business sends with its request (記録、写真、メール…) kept in the evidence
locker, with their SHA-256 and custody (``evidence.subjects``): the request's page shows them
to those who may read the business's account (``permissions.may_see_business_account``) and
the specialist section adds them."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import permissions as base
from evidence.panels import subject_evidence_panel
from evidence.subjects import Subject, register_subject
from mamoru.lib.panels import register_panel

from . import permissions, selectors
from .models import BusinessRequest

KEY = "business_request"


def _visible_ids(user):
    """The requests whose evidence ``user`` may see: as ``permissions.may_see_business_account``."""
    requests = BusinessRequest.objects.all()
    if permissions.may_handle(user):
        return requests.values_list("pk", flat=True)
    if not base.handles_contacts(user):
        return []
    shown = Q(managers=user) if base.is_manager(user) else Q(pk__in=[])
    shown |= Q(staff=user) & ~Q(outcome="")
    return requests.filter(shown).values_list("pk", flat=True).distinct()


def _department_id(request) -> int:
    """The evidence counts under the department of the specialist who received the request."""
    return request.received_by.department_id or (request.handler.department_id if request.handler else None)


def register() -> None:
    register_subject(
        Subject(
            key=KEY,
            model=BusinessRequest,
            name=str(_("他事業者からの申入れ")),
            get=lambda user, pk: selectors.request_get(user=user, pk=pk),
            may_view=permissions.may_see_business_account,
            may_add=lambda user, request: permissions.may_handle(user) and not request.closed_on,
            may_manage=lambda user, request: permissions.may_handle(user),
            visible_ids=_visible_ids,
            department_id=_department_id,
            url=lambda request: reverse("business_requests:detail", args=[request.pk]),
        )
    )
    register_panel(
        page="business_requests.detail",
        slot="evidence",
        name="evidence.business_request_evidence",
        template="evidence/_evidence_panel.html",
        context=subject_evidence_panel(KEY),
        order=10,
    )
