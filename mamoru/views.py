from django.http import HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _


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
    the session may be what failed), with the request id to quote; JSON under /api/."""
    request_id = getattr(request, "request_id", "")
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
