"""Reading requests, narrowed to what the user may see: the specialist section every
request, a manager those naming them, a member of staff those about them; the
administrator none. Every read is audited by the caller (``audit_read``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import permissions as base

from .models import BusinessRequest


def request_list(*, user) -> QuerySet[BusinessRequest]:
    requests = BusinessRequest.objects.select_related("handler", "received_by")
    if base.is_specialist(user):
        return requests.all()
    if base.is_manager(user):
        return requests.filter(Q(managers=user) | Q(staff=user)).distinct()
    if base.handles_contacts(user):
        return requests.filter(staff=user).distinct()
    return requests.none()


def request_list_managed(*, user) -> QuerySet[BusinessRequest]:
    """The whole requests the user may read: every one for the specialist section, the
    ones naming them for a manager."""
    requests = BusinessRequest.objects.select_related("handler", "received_by")
    if base.is_specialist(user):
        return requests.all()
    if base.is_manager(user):
        return requests.filter(managers=user).distinct()
    return requests.none()


def request_list_narrowed(
    requests: QuerySet[BusinessRequest],
    *,
    state: str = "",
    outcome: str = "",
    department: int | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
) -> QuerySet[BusinessRequest]:
    """``requests`` (already narrowed to a user) narrowed by the list's filters; ``outcome``
    ``"undecided"`` for the requests with no outcome yet."""
    if state:
        requests = requests.filter(state=state)
    if outcome:
        requests = requests.filter(outcome="" if outcome == "undecided" else outcome)
    if department:
        named = BusinessRequest.objects.filter(staff__department_id=department).values("pk")
        requests = requests.filter(pk__in=named)
    if received_from:
        requests = requests.filter(received_on__gte=received_from)
    if received_to:
        requests = requests.filter(received_on__lte=received_to)
    return requests


def request_open_first(queryset: QuerySet[BusinessRequest]) -> QuerySet[BusinessRequest]:
    return queryset.order_by("closed_on", "received_on", "id")


def request_get(*, user, pk) -> BusinessRequest:
    try:
        return request_list(user=user).get(pk=pk)
    except (BusinessRequest.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("申入れが見つからないか、閲覧する権限がありません。") from exc
