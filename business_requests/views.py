"""Pages of the requests from other businesses (他事業者からの申入れ). Every read is audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions as base
from audit.services import audit_read
from letters.views import issued_letter_response
from mamoru.exports import export_list, requested_format
from mamoru.lib.pdf import FontMissingError

from . import exports, forms, permissions, selectors, services
from .choices import Outcome, RequestState
from .deadlines import next_due
from .models import Hearing


def _refused(request, error: ValidationError) -> None:
    messages.error(request, "、".join(error.messages))


def _refused_form(request, form) -> None:
    messages.error(request, "、".join(e for errors in form.errors.values() for e in errors))


def request_list(request):
    if not permissions.may_see_list(request.user):
        raise PermissionDenied(_("申入れの一覧を見られるのは専門部署と管理職のみです。"))
    rows = list(selectors.request_open_first(selectors.request_list_managed(user=request.user)))
    for row in rows:
        row.next_due = next_due(row)
    fmt = requested_format(request)
    if fmt:
        return export_list(
            request,
            fmt=fmt,
            listed=lambda: exports.request_list_file(rows),
            audit_action="business_requests.request.exported",
        )
    audit_read(actor=request.user, action="business_requests.request.listed", count=len(rows))
    return render(
        request,
        "business_requests/request_list.html",
        {"rows": rows, "may_handle": permissions.may_handle(request.user), "today": timezone.localdate()},
    )


def request_mine(request):
    base.require_handler(request.user)
    rows = list(selectors.request_open_first(selectors.request_list(user=request.user).filter(staff=request.user)))
    audit_read(actor=request.user, action="business_requests.request.own_listed", count=len(rows))
    return render(request, "business_requests/request_mine.html", {"rows": rows})


def request_new(request):
    permissions.require_handler(request.user)
    form = forms.IntakeForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.business_request_receive(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("申入れを受け付けました。担当者を指定してください。"))
            return redirect("business_requests:detail", pk=created.pk)
    return render(request, "business_requests/request_new.html", {"form": form})


def request_detail(request, pk):
    item = selectors.request_get(user=request.user, pk=pk)
    audit_read(actor=request.user, action="business_requests.request.viewed", obj=item)
    sees_all = permissions.may_see_all(request.user, item)
    hearings = item.hearings.select_related("staff", "heard_by")
    if not sees_all:
        hearings = hearings.filter(staff=request.user)
    context = {
        "item": item,
        "sees_all": sees_all,
        "sees_account": permissions.may_see_business_account(request.user, item),
        "may_handle": permissions.may_handle(request.user),
        "may_decide_measures": permissions.may_decide_measures(request.user, item),
        "hearings": hearings,
        "notes": item.notes.select_related("written_by") if sees_all else [],
        "next_due": next_due(item),
        "States": RequestState,
        "Outcomes": Outcome,
        "staff": item.staff.select_related("department"),
        "managers": item.managers.all(),
    }
    if context["may_handle"]:
        staff_ids = [person.pk for person in context["staff"]]
        context["assign_form"] = forms.AssignForm(
            initial={"handler": item.handler_id or request.user.pk, "managers": list(item.managers.all())}
        )
        context["note_form"] = forms.NoteForm()
        context["hearing_form"] = forms.HearingForm(
            request=item,
            initial={"held_on": timezone.localdate(), "staff": staff_ids[0] if len(staff_ids) == 1 else None},
        )
        context["outcome_form"] = forms.OutcomeForm()
        context["reply_form"] = forms.ReplyForm(initial={"sent_on": timezone.localdate()})
    if context["may_decide_measures"]:
        context["measures_form"] = forms.MeasuresForm()
    return render(request, "business_requests/request_detail.html", context)


def _step(request, pk, form_class, call, done: str, form_kwargs=None):
    item = selectors.request_get(user=request.user, pk=pk)
    form = form_class(request.POST, **(form_kwargs(item) if form_kwargs else {}))
    if not form.is_valid():
        _refused_form(request, form)
    else:
        try:
            call(item, form.cleaned_data)
        except ValidationError as error:
            _refused(request, error)
        except FontMissingError as error:  # the 回答書 cannot be made: nothing was saved
            messages.error(request, str(error))
        else:
            messages.success(request, done)
    return redirect("business_requests:detail", pk=pk)


def _specialist_only(request):
    permissions.require_handler(request.user)


@require_POST
def request_assign(request, pk):
    _specialist_only(request)
    return _step(
        request,
        pk,
        forms.AssignForm,
        lambda item, data: services.business_request_assign(
            actor=request.user, request=item, handler=data["handler"], managers=data["managers"]
        ),
        _("担当者を指定しました。"),
    )


@require_POST
def request_note(request, pk):
    _specialist_only(request)
    return _step(
        request,
        pk,
        forms.NoteForm,
        lambda item, data: services.business_request_note_add(actor=request.user, request=item, text=data["text"]),
        _("調査記録を追加しました。"),
    )


@require_POST
def request_hearing(request, pk):
    _specialist_only(request)
    return _step(
        request,
        pk,
        forms.HearingForm,
        lambda item, data: services.business_request_hearing_record(actor=request.user, request=item, **data),
        _("聴取を記録しました。本人に内容の確認を依頼してください。"),
        form_kwargs=lambda item: {"request": item},
    )


@require_POST
def hearing_confirm(request, pk):
    hearing = Hearing.objects.filter(pk=pk, staff=request.user).select_related("request").first()
    if hearing is None or not base.handles_contacts(request.user):
        raise Http404(_("聴取が見つかりません。"))
    try:
        services.business_request_hearing_confirm(actor=request.user, hearing=hearing)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("聴取の内容を確認しました。"))
    return redirect("business_requests:detail", pk=hearing.request_id)


@require_POST
def request_outcome(request, pk):
    _specialist_only(request)
    return _step(
        request,
        pk,
        forms.OutcomeForm,
        lambda item, data: services.business_request_decide_outcome(actor=request.user, request=item, **data),
        _("調査結果を記録しました。"),
    )


@require_POST
def request_measures(request, pk):
    item = selectors.request_get(user=request.user, pk=pk)
    permissions.require_measures_manager(request.user, item)
    return _step(
        request,
        pk,
        forms.MeasuresForm,
        lambda item, data: services.business_request_decide_measures(actor=request.user, request=item, **data),
        _("対象職員への措置を決定しました。"),
    )


@require_POST
def request_reply(request, pk):
    _specialist_only(request)
    return _step(
        request,
        pk,
        forms.ReplyForm,
        lambda item, data: services.business_request_reply_record(actor=request.user, request=item, **data),
        _("事業者への回答を記録しました。"),
    )


@require_POST
def request_close(request, pk):
    _specialist_only(request)
    item = selectors.request_get(user=request.user, pk=pk)
    try:
        services.business_request_close(actor=request.user, request=item)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("申入れを終結しました。"))
    return redirect("business_requests:detail", pk=pk)


def request_reply_letter(request, pk):
    """The 回答書 exactly as issued (the stored PDF): the specialist section and the named managers."""
    item = selectors.request_get(user=request.user, pk=pk)
    if not permissions.may_see_all(request.user, item) or item.reply_letter_id is None:
        raise Http404(_("回答書が見つかりません。"))
    audit_read(actor=request.user, action="business_requests.reply_letter.viewed", obj=item)
    return issued_letter_response(item.reply_letter)
