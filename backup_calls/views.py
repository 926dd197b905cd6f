"""Backup call endpoints: thin views over backup_calls.services.

The browser script posts with ``Accept: application/json`` and gets JSON;
without the script the forms post and are redirected to the contact page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from records.selectors import contact_get

from . import selectors, services


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _answer(request, call, message, *, status=200, level=messages.SUCCESS):
    if _wants_json(request):
        data = {"message": message}
        if call is not None:
            data["call"] = selectors.backup_call_event_data(call)
        return JsonResponse(data, status=status)
    messages.add_message(request, level, message)
    return redirect("records:contact_detail", pk=call.contact_id) if call is not None else redirect("records:home")


@require_POST
def call_create(request, contact_pk):
    contact = contact_get(user=request.user, pk=contact_pk)
    try:
        call = services.backup_call_create(actor=request.user, contact=contact, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse({"message": "、".join(error.messages)}, status=400)
        messages.error(request, "、".join(error.messages))
        return redirect("records:contact_detail", pk=contact.pk)
    message = _("応援を要請しました。") if call.created else _("応援要請は既に送信済みです。")
    return _answer(request, _reload(call), message, status=201 if call.created else 200)


@require_POST
def call_take(request, pk):
    call = selectors.backup_call_get(user=request.user, pk=pk)
    try:
        call = services.backup_call_take(actor=request.user, call=call)
    except PermissionDenied as error:
        return _answer(request, call, str(error), status=403, level=messages.ERROR)
    except ValidationError as error:
        return _answer(request, _reload(call), "、".join(error.messages), status=409, level=messages.ERROR)
    return _answer(request, _reload(call), _("向かうことを要請者に伝えました。"))


@require_POST
def call_resolve(request, pk):
    call = selectors.backup_call_get(user=request.user, pk=pk)
    try:
        call = services.backup_call_resolve(actor=request.user, call=call)
    except ValidationError as error:
        return _answer(request, call, "、".join(error.messages), status=409, level=messages.ERROR)
    return _answer(request, _reload(call), _("応援要請を終了しました。"))


def _reload(call):
    return selectors.BackupCall.objects.select_related("contact", "department", "caller", "taken_by").get(pk=call.pk)
