"""The second factor and the second sign-in, for every page (issue 13 B1).

After ``django_otp.middleware.OTPMiddleware`` (which tells whether this session gave a
code): a signed-in user who must give a code and has not is sent to the code page
(or, not yet enrolled, to the enrolment page) whatever they asked for. The
administration pages (``/accounts/administration/``, Django's ``/admin/``) also need a
recent sign-in (``step_up_response``); the export views call ``step_up_response``
themselves."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import twofactor

# What a user who still owes the code may reach: the code and enrolment pages, the recovery codes
# just made, signing out, static files, and the API (which authenticates its own tokens).
SECOND_FACTOR_OPEN_PATHS = (
    "accounts:otp_verify",
    "accounts:otp_enrol",
    "accounts:otp_recovery_codes",
    "accounts:logout",
)
SECOND_FACTOR_OPEN_PREFIXES = ("/static/", "/api/", "/healthz")
STEP_UP_PREFIXES = ("/accounts/administration/", "/admin/")


def _to(request, url_name: str, next_url: str) -> HttpResponse:
    url = reverse(url_name) + "?" + urlencode({"next": next_url})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=401)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def second_factor_response(request) -> HttpResponse | None:
    """Where to send a signed-in user who still owes the code (``None``: nowhere)."""
    if not request.user.is_authenticated or not twofactor.second_factor_required(request):
        return None
    if twofactor.second_factor_done(request):
        return None
    if twofactor.is_enrolled(request.user):
        return _to(request, "accounts:otp_verify", request.get_full_path())
    if not twofactor.role_requires_second_factor(request.user):
        request.session.pop(twofactor.ENROLLED, None)  # an administrator reset the devices: nothing to give
        return None
    return _to(request, "accounts:otp_enrol", request.get_full_path())


def step_up_response(request) -> HttpResponse | None:
    """Before an export or an administration page: the sign-in page again when the last
    sign-in is older than ``MAMORU_STEP_UP_MINUTES`` (``None``: go ahead)."""
    if twofactor.signin_is_recent(request):
        return None
    return _to(request, "accounts:reauthenticate", request.get_full_path())


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    @property
    def open_paths(self) -> frozenset[str]:
        if self._open_paths is None:  # the URLconf is not loaded yet when the middleware is made
            self._open_paths = frozenset(reverse(name) for name in SECOND_FACTOR_OPEN_PATHS)
        return self._open_paths

    def __call__(self, request):
        if request.user.is_authenticated:
            if not request.path.startswith(SECOND_FACTOR_OPEN_PREFIXES) and request.path not in self.open_paths:
                response = second_factor_response(request)
                if response is not None:
                    return response
            if request.path.startswith(STEP_UP_PREFIXES):
                response = step_up_response(request)
                if response is not None:
                    return response
        return self.get_response(request)
