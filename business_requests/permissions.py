"""Who may see and act on a request from another business, built on ``accounts.permissions``.

- enter and handle (every step but the measures): the specialist section;
- see the whole request: the specialist section and the managers it names on the request;
- decide the measures for the staff member (指導, 研修): a manager named on the request;
- the member of staff concerned sees that there is a request about them, its state, and
  their own hearings; the business's account, what it asks for and the evidence it sent
  only once the outcome is decided. Why: before the facts are judged, showing the
  business's account (its workers' names, what they said) to the person it accuses risks
  pressure on those workers and shapes the hearing; the hearing itself tells the staff
  member what they are asked about, so they can answer (the right to respond). After the
  outcome they may read what it rested on.
- the system administrator never (``handles_contacts`` is false for that role)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import permissions as base


def may_handle(user) -> bool:
    return base.is_specialist(user)


def is_named_manager(user, request) -> bool:
    return base.is_manager(user) and request.managers.filter(pk=user.pk).exists()


def is_concerned_staff(user, request) -> bool:
    return base.handles_contacts(user) and request.staff.filter(pk=user.pk).exists()


def may_see_all(user, request) -> bool:
    return may_handle(user) or is_named_manager(user, request)


def may_see(user, request) -> bool:
    return may_see_all(user, request) or is_concerned_staff(user, request)


def may_see_business_account(user, request) -> bool:
    """The business's account, what it asks for and the evidence it sent."""
    return may_see_all(user, request) or (is_concerned_staff(user, request) and bool(request.outcome))


def may_decide_measures(user, request) -> bool:
    return is_named_manager(user, request)


def may_see_list(user) -> bool:
    """The list of requests (nav entry): the specialist section and managers."""
    return base.is_specialist(user) or base.is_manager(user)


def require_handler(user) -> None:
    if not may_handle(user):
        raise PermissionDenied(_("他事業者からの申入れを扱えるのは専門部署のみです。"))


def require_measures_manager(user, request) -> None:
    if not may_decide_measures(user, request):
        raise PermissionDenied(_("措置を決定できるのは、この申入れで指名された管理職のみです。"))
