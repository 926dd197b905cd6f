import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from mamoru.lib.uploads import upload_for

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
        upload = _large_upload(request)
        if upload is not None:
            return max(settings.MAMORU_UPLOAD_MAX_BYTES, upload.max_bytes())
        return settings.MAMORU_UPLOAD_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _large_upload(request):
    """The view's registration in ``mamoru.lib.uploads`` if it takes large files."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return upload_for(match.view_name)


def too_large(request):
    limit = _body_limit(request)
    message = _("送信されたデータが大きすぎます（上限 {size}）。").format(size=_megabytes(limit))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})
    return render(request, "errors/413.html", {"message": message}, status=413)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


NUL_MESSAGE = "リクエストに使用できない文字（NUL 文字）が含まれています。入力内容を確認してください。"


def _json_has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_json_has_nul(key) or _json_has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(item) for item in value)
    return False


def request_has_nul(request) -> bool:
    """NUL (``\\x00``, ``%00``, JSON's ``\\u0000``) anywhere in the path, the query string, a
    form's fields or a JSON body. PostgreSQL cannot store NUL in text, so it never gets past here.
    Files of a multipart upload are bytes and are not looked into (their names are)."""
    if (
        "\x00" in request.path
        or "%00" in request.META.get("QUERY_STRING", "")
        or "\x00" in request.META.get("QUERY_STRING", "")
    ):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    try:
        if content_type == "multipart/form-data":
            _view_upload_handlers(request)
            fields = request.POST
            return any("\x00" in key or any("\x00" in value for value in fields.getlist(key)) for key in fields) or any(
                "\x00" in (upload.name or "") for upload in request.FILES.values()
            )
        body = request.body
    except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError, OSError):
        # A body cut off mid-file (the client dropped the connection): no half-received file stays.
        for handler in getattr(request, "upload_handlers", ()):
            if hasattr(handler, "discard_partial"):
                handler.discard_partial()
        return False  # answered by the view's own handling (413, 400), not here
    if content_type == "application/x-www-form-urlencoded":
        return b"%00" in body or b"\x00" in body
    if b"\x00" in body:
        return True
    if b"\\u0000" in body.lower():  # decode only when it may be there: "\\u0000" could be an escaped backslash
        try:
            return _json_has_nul(json.loads(body))
        except ValueError:
            return False  # not JSON: the API answers that
    return False


def _view_upload_handlers(request) -> None:
    """A view registered in ``mamoru.lib.uploads`` with its own upload handlers (evidence
    hashes each file as it arrives) gets them here, before this check reads the body
    and it is too late to set them."""
    upload = _large_upload(request)
    if upload is not None and upload.handlers is not None:
        request.upload_handlers = upload.handlers(request)


class RefuseNulMiddleware:
    """Refuses a request carrying NUL with 400 before any view runs (issue 13, A10): JSON
    with a Japanese ``detail`` for the API, a short Japanese page for everything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400, json_dumps_params={"ensure_ascii": False})
            return render(request, "errors/400.html", {"message": NUL_MESSAGE}, status=400)
        return self.get_response(request)
