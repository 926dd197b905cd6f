"""Who may do what with personal-data requests (開示請求, 訂正請求), built on ``accounts.permissions``.

A request covers everything the city holds about a resident, in every department, so only the
specialist section runs them: a member of staff, a supervisor or a manager reads their own
department's records only, and the system administrator never reads residents' records. Every
decision takes two people: whoever compiled a request (or received a correction) does not decide it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import permissions as base


def may_handle_requests(user) -> bool:
    """Receive, compile, review and hand over requests, and read them: the specialist section."""
    return base.is_specialist(user)


def may_decide_request(user, request) -> bool:
    """Review and decide a disclosure request: a specialist other than the one who compiled it."""
    return may_handle_requests(user) and request.collected_by_id is not None and request.collected_by_id != user.pk


def may_decide_correction(user, correction) -> bool:
    """Decide a correction request: a specialist other than the one who received it."""
    return may_handle_requests(user) and correction.registered_by_id != user.pk


def require_request_handler(user) -> None:
    if not may_handle_requests(user):
        raise PermissionDenied(_("個人情報の開示請求・訂正請求を扱えるのは専門部署のみです。"))


def require_request_decider(user, request) -> None:
    require_request_handler(user)
    if not may_decide_request(user, request):
        raise PermissionDenied(_("開示請求の審査・決定は、収集した職員とは別の職員が行ってください。"))


def require_correction_decider(user, correction) -> None:
    require_request_handler(user)
    if not may_decide_correction(user, correction):
        raise PermissionDenied(_("訂正請求の決定は、受け付けた職員とは別の職員が行ってください。"))
