from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

OPEN_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/favicon.ico", "/healthz")


class LoginRequiredMiddleware:
    """Every page needs a signed-in user, except the login page, static files
    and the API (which authenticates its own tokens)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            if request.headers.get("HX-Request"):
                # htmx requests: tell the page to go to the login screen.
                response = HttpResponse(status=401)
                response["HX-Redirect"] = reverse(settings.LOGIN_URL)
                return response
            return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.get_full_path()}")
        return self.get_response(request)
