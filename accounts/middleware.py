from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record

from .sessions import SIGNED_IN_AT, session_end_reason, session_stamp

SESSION_ENDED_MESSAGES = {
    "absolute": _(
        "ログインしてから一定の時間が経ったため、安全のためログアウトしました。もう一度ログインしてください。"
    ),
    "everywhere": _("「すべての端末からログアウト」が行われたため、ログアウトしました。もう一度ログインしてください。"),
}

OPEN_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/favicon.ico", "/healthz")


class LoginRequiredMiddleware:
    """Every page needs a signed-in user, except the login page, static files
    and the API (which authenticates its own tokens)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            return to_login(request)
        return self.get_response(request)


def to_login(request):
    if request.headers.get("HX-Request"):
        # htmx requests: tell the page to go to the login screen.
        response = HttpResponse(status=401)
        response["HX-Redirect"] = reverse(settings.LOGIN_URL)
        return response
    return redirect_to_login(request.get_full_path())  # encodes ?next= (queries keep their &)


class SessionLifetimeMiddleware:
    """(After MessageMiddleware, to tell the user why.) Ends a session that outlived ``MAMORU_SESSION_ABSOLUTE_SECONDS`` since signing in,
    or that its user ended by signing out everywhere (``accounts.sessions``); the idle
    timeout is Django's own. A session signed in by some other view gets its stamp on
    the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            reason = ""
            if signed_in_at is None and user.sessions_valid_after is None:
                session_stamp(request.session)
            else:
                reason = session_end_reason(user=user, signed_in_at=signed_in_at)
            if reason:
                audit_record(actor=user, action=f"accounts.session.ended_{reason}", obj=user)
                logout(request)
                messages.info(request, SESSION_ENDED_MESSAGES[reason])
                if not request.path.startswith(OPEN_PREFIXES):
                    return to_login(request)
        response = self.get_response(request)
        if request.user.is_authenticated and SIGNED_IN_AT not in request.session:
            session_stamp(request.session)
        return response
