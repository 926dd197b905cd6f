from django.shortcuts import render
from django.utils.translation import gettext as _


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else _("このページを表示する権限がありません。")
    return render(request, "errors/403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    message = _("ページが見つからないか、閲覧する権限がありません。")
    return render(request, "errors/404.html", {"message": message}, status=404)
