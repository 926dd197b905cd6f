import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError


class SecurityHeadersMiddleware:
    """Headers Django 5.2 does not set by itself: a content security policy
    (no inline scripts, nothing from other origins) and a permissions policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


NUL_MESSAGE = "リクエストに使用できない文字（NUL 文字）が含まれています。入力内容を確認してください。"
_NUL_PAGE = (
    '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>入力エラー</title></head>'
    '<body><h1>入力エラー</h1><p>{message}</p><p><a href="/">ホームへ戻る</a></p></body></html>'
)


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
            fields = request.POST
            return any("\x00" in key or any("\x00" in value for value in fields.getlist(key)) for key in fields) or any(
                "\x00" in (upload.name or "") for upload in request.FILES.values()
            )
        body = request.body
    except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError, OSError):
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


class RefuseNulMiddleware:
    """Refuses a request carrying NUL with 400 before any view runs (issue 13, A10): JSON
    with a Japanese ``detail`` for the API, a short Japanese page for everything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(
                _NUL_PAGE.format(message=NUL_MESSAGE), content_type="text/html; charset=utf-8"
            )
        return self.get_response(request)
