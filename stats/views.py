"""The figures' pages: thin views over stats.selectors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .display import shown_table
from .forms import StatsFilterForm
from .headline import headlines
from .periods import previous_period
from .permissions import may_read_statistics
from .selectors import stats_department_list, stats_scope, stats_sections


def requested_scope(request):
    """The filter form and the scope it asks for; the current fiscal year of every
    department the user may read when nothing (or something wrong) was asked."""
    departments = stats_department_list(user=request.user)
    form = StatsFilterForm(request.GET or None, user=request.user, departments=departments)
    if form.is_bound and not form.is_valid():
        return form, None
    scope = stats_scope(user=request.user, period=form.period_value(), department_ids=form.department_ids())
    return form, scope


def dashboard(request):
    if not may_read_statistics(request.user):
        raise PermissionDenied
    form, scope = requested_scope(request)
    if scope is None:
        return render(request, "stats/dashboard.html", {"form": form, "sections": []}, status=400)
    sections = [(section, [shown_table(t) for t in tables]) for section, tables in stats_sections(scope=scope)]
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "previous": previous_period(scope.period, getattr(request.user, "date_style", "wareki")),
            "headlines": headlines(scope),
            "sections": sections,
        },
    )
