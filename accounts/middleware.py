from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
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
            return redirect_to_login(request.get_full_path())  # encodes ?next= (queries keep their &)
        return self.get_response(request)
