"""The figures' pages: thin views over stats.selectors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import Department
from audit.services import audit_read
from mamoru.exports import export_list, requested_format
from mamoru.policy.loader import current as current_policy

from . import exposure
from .display import shown_table
from .exports import exposure_list_file
from .forms import ReportForm, StatsFilterForm
from .permissions import may_read_all_departments, may_read_staff_exposure, may_read_statistics
from .reports import ReportKind, report_build, report_filename, report_record, report_render
from .selectors import stats_department_list, stats_scope, stats_sections


def _filtered(request):
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
    form, scope = _filtered(request)
    if scope is None:
        return render(request, "stats/dashboard.html", {"form": form, "sections": []}, status=400)
    sections = [(section, [shown_table(t) for t in tables]) for section, tables in stats_sections(scope=scope)]
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "sections": sections,
            "may_read_staff_exposure": may_read_staff_exposure(request.user),
        },
    )


def _scope_filters(scope) -> dict[str, str]:
    """The period and departments, as an audit entry and an export's first line give them."""
    names = ", ".join(Department.objects.filter(pk__in=scope.department_ids).values_list("name", flat=True))
    return {"期間": scope.period.label, "所属": names}


def staff_exposure(request):
    """Per member of staff: harassment contacts handled or attended, handling hours,
    care follow-ups, over the chosen period (managers: their department; the
    specialist section: every department). Names people: audited, never cached."""
    if not may_read_staff_exposure(request.user):
        raise PermissionDenied(_("このページは管理職と専門部署のみが閲覧できます。"))
    form, scope = _filtered(request)
    context = {"form": form, "scope": scope, "columns": [label for _key, label, _kind in exposure.COLUMNS]}
    if scope is None:
        return render(request, "stats/staff_exposure.html", {**context, "rows": []}, status=400)
    filters = _scope_filters(scope)
    fmt = requested_format(request)
    if fmt:
        return export_list(
            request,
            fmt=fmt,
            listed=lambda: exposure_list_file(exposure.staff_exposure_rows(scope=scope)),
            audit_action="stats.staff_exposure.exported",
            filters=filters,
        )
    rows = exposure.staff_exposure_rows(scope=scope)
    audit_read(actor=request.user, action="stats.staff_exposure.viewed", filters=filters, count=len(rows))
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("encoding", None)
    return render(request, "stats/staff_exposure.html", {**context, "rows": rows, "query_string": query.urlencode()})


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report(request):
    """The report form; with ``format`` in the query, the report itself as a download.
    Figures only, no person's data: no second sign-in is asked (docs/statistics.md)."""
    if not may_read_statistics(request.user):
        raise PermissionDenied
    form = ReportForm(
        request.GET if "format" in request.GET else None,
        user=request.user,
        departments=stats_department_list(user=request.user),
        may_publish=may_read_all_departments(request.user),
        default_threshold=current_policy().statistics.suppression_threshold,
    )
    if not form.is_bound:
        return render(request, "stats/report.html", {"form": form})
    if not form.is_valid():
        return render(request, "stats/report.html", {"form": form}, status=400)
    data = form.cleaned_data
    public = data.get("public", False)
    built = report_build(
        user=request.user,
        kind=ReportKind.MONTHLY if data["kind"] == "monthly" else ReportKind.YEARLY,
        fiscal_year=data["fiscal_year"],
        month=data["month_value"],
        department_ids=data.get("department") or None,
        public=public,
        threshold=data.get("threshold") if public else None,
    )
    content = report_render(built, data["format"])
    report_record(actor=request.user, report=built, output_format=data["format"])
    response = HttpResponse(content, content_type=CONTENT_TYPES[data["format"]])
    response["Content-Disposition"] = f'attachment; filename="{report_filename(built, data["format"])}"'
    return response
