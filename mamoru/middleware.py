from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# Responses that may carry personal data: pages, exports and prints. Kept out of
# browser and proxy caches (a shared counter PC, the back button after signing out).
_PERSONAL_TYPES = ("text/html", "text/csv", "application/pdf", "application/vnd.openxmlformats", "application/json")


class SecurityHeadersMiddleware:
    """Headers Django 5.2 does not set by itself: a content security policy
    (no inline scripts, nothing from other origins; the Django admin's pages
    included), a permissions policy, and ``Cache-Control: no-store`` on
    everything a signed-in user is shown (pages, CSV, Excel, PDF, JSON)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if _is_personal(request, response):
            response["Cache-Control"] = "no-store"
            response.setdefault("Pragma", "no-cache")
        return response


def _is_personal(request, response) -> bool:
    if not response.get("Content-Type", "").startswith(_PERSONAL_TYPES):
        return False  # static files keep their caching
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False)) or request.path.startswith("/api/")


class RequestLimitsMiddleware:
    """A request body larger than the server reads is answered 413 with a
    Japanese page (JSON under /api/), not a 500: refused from its
    Content-Length before it is read, or when Django stops reading it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > _body_limit(request):
            return too_large(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return too_large(request)
        return None


def _body_limit(request) -> int:
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
        return settings.MAMORU_UPLOAD_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large(request):
    limit = _body_limit(request)
    message = _("送信されたデータが大きすぎます（上限 {size}）。").format(size=_megabytes(limit))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})
    return render(request, "errors/413.html", {"message": message}, status=413)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
