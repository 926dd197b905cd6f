"""The specialist section's 繰り返しの確認 pages: thin views over
repetition.selectors and repetition.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import require_specialist
from audit.services import audit_read
from mamoru.exports import export_list, requested_format
from mamoru.forms import add_service_errors

from . import exports, selectors, services
from .forms import STATUS_FILTERS, FlagDecisionForm, FlagListFilterForm


def _require_specialist(request):
    require_specialist(request.user, _("繰り返しの確認は専門部署のみが使えます。"))


def flag_list(request):
    _require_specialist(request)
    status = request.GET.get("status", "")
    flags = selectors.flag_list_for_display(user=request.user, status=status)
    narrowing = FlagListFilterForm(request.GET)
    narrowed = {}
    if narrowing.is_valid():
        narrowed = narrowing.describe()
        flags = selectors.flag_list_narrowed(flags, **narrowing.cleaned_data)
    else:
        messages.error(request, "、".join(e for errors in narrowing.errors.values() for e in errors))
    fmt = requested_format(request)
    if fmt:
        return export_list(
            request,
            fmt=fmt,
            listed=lambda: exports.flag_list_file(flags),
            audit_action="repetition.flag.exported",
            filters={"状態": dict(STATUS_FILTERS).get(status, status), **narrowed},
        )
    page = Paginator(flags, 50).get_page(request.GET.get("page"))
    audit_read(
        actor=request.user,
        action="repetition.flag.listed",
        filters={"状態": status, **narrowed, "ページ": page.number},
        count=page.paginator.count,
    )
    query = request.GET.copy()
    query.pop("page", None)
    for flag in page.object_list:
        flag.department_names = sorted({c.department.name for c in flag.live_contacts})
    return render(
        request,
        "repetition/flag_list.html",
        {
            "page": page,
            "status": status,
            "filters": STATUS_FILTERS,
            "narrowed": narrowed,
            "query_string": query.urlencode(),
            "recount_pending": selectors.recount_pending_count(),
        },
    )


@require_POST
def recount(request):
    """Count now the residents waiting to be counted again (the background
    recount usually has within seconds; a server without it waits for cron)."""
    _require_specialist(request)
    counted = services.repetition_recount_pending(limit=None)
    messages.success(request, _("{count}名の住民等について基準を確認しました。").format(count=counted))
    return redirect("repetition:flag_list")


def _detail(request, flag, form):
    return render(
        request,
        "repetition/flag_detail.html",
        {
            "flag": flag,
            "contacts": selectors.flag_contacts(flag=flag),
            "decisions": flag.decisions.select_related("decided_by"),
            "form": form,
        },
    )


def flag_detail(request, pk):
    flag = selectors.flag_get(user=request.user, pk=pk)
    audit_read(actor=request.user, action="repetition.flag.viewed", obj=flag)
    return _detail(request, flag, FlagDecisionForm())


@require_POST
def flag_decide(request, pk):
    flag = selectors.flag_get(user=request.user, pk=pk)
    form = FlagDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.repetition_flag_decide(
                actor=request.user,
                flag=flag,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("判断を記録しました。"))
            return redirect("repetition:flag_detail", pk=flag.pk)
    return _detail(request, flag, form)
