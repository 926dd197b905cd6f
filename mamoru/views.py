import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .health import database_reachable, degraded_checks, health_report

# Seconds a client is asked to wait before trying again while the database is unreachable.
RETRY_AFTER_SECONDS = 30


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else _("このページを表示する権限がありません。")
    return render(request, "errors/403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    message = _("ページが見つからないか、閲覧する権限がありません。")
    return render(request, "errors/404.html", {"message": message}, status=404)


def bad_request(request, exception=None):
    return HttpResponseBadRequest(loader.get_template("errors/400.html").render())


def server_error(request):
    """The Japanese 500 page, drawn without context processors (the database or
    the session may be what failed), with the request id to quote; JSON under /api/.
    When the database cannot be reached, the 503 page instead (``database_unavailable``)."""
    request_id = getattr(request, "request_id", "")
    if database_failed(sys.exc_info()[1]):
        return database_unavailable(request, request_id)
    if request.path.startswith("/api/"):
        return api_server_error(request_id)
    body = loader.get_template("errors/500.html").render({"request_id": request_id})
    return HttpResponseServerError(body)


def api_server_error(request_id: str) -> JsonResponse:
    """An API 500: a Japanese message and the request id, never a traceback."""
    return JsonResponse(
        {"detail": _("サーバーでエラーが発生しました。"), "request_id": request_id},
        status=500,
        json_dumps_params={"ensure_ascii": False},
    )


def database_failed(exception: BaseException | None) -> bool:
    """Whether the error being handled comes from an unreachable database.

    Only a connection-class error (``OperationalError``/``InterfaceError``), or an
    error Django hands over without the exception (under ASGI the handler runs in
    another thread), and only when a fresh connection then fails too: a locked
    SQLite file, a cancelled statement or a bug stays the 500 it is."""
    if exception is not None and not isinstance(exception, (OperationalError, InterfaceError)):
        return False
    return not database_reachable()


def database_unavailable(request, request_id: str = "") -> HttpResponse:
    """503 while the database is unreachable: the Japanese page with what to do meanwhile
    (record on paper), JSON under /api/. Drawn without the database or the session; Django
    opens a new connection on the next request, so service resumes without a restart."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _("ただいまデータベースに接続できません。しばらくしてから再度お試しください。"),
                "request_id": request_id,
            },
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        body = loader.get_template("errors/503.html").render({"request_id": request_id})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@never_cache
def healthz(request):
    """For load balancers and monitoring, without signing in and without personal data:
    200 with ``ok`` or ``degraded`` (which checks in ``degraded``), 503 with ``down`` when
    the database cannot be used (docs/deploy.md "## Health check")."""
    status, checks = health_report()
    body = {"status": status, "checks": checks}
    if status == "degraded":
        body["degraded"] = degraded_checks(checks)
    return JsonResponse(body, status=503 if status == "down" else 200)
