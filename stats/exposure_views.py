"""The staff exposure page (職員ごとの対応状況): a thin view over stats.exposure."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import Department
from audit.services import audit_read
from mamoru.exports import export_list, requested_format

from .exposure import COLUMNS, exposure_list_file, staff_exposure_rows
from .permissions import may_read_staff_exposure
from .views import requested_scope


def _scope_filters(scope) -> dict[str, str]:
    """The period and departments, as the audit entry and the export's first line give them."""
    names = "、".join(Department.objects.filter(pk__in=scope.department_ids).values_list("name", flat=True))
    return {"期間": scope.period.label, "所属": names}


def staff_exposure(request):
    """Per member of staff: harassment contacts handled or attended, handling hours,
    care follow-ups, over the chosen period (managers: their department; the
    specialist section: every department). Names people: audited, never cached
    (``mamoru.middleware`` sends every signed-in page with ``Cache-Control: no-store``)."""
    if not may_read_staff_exposure(request.user):
        raise PermissionDenied(_("このページは管理職と専門部署のみが閲覧できます。"))
    form, scope = requested_scope(request)
    context = {"form": form, "scope": scope, "columns": [label for _key, label, _kind in COLUMNS]}
    if scope is None:
        return render(request, "stats/staff_exposure.html", {**context, "rows": []}, status=400)
    filters = _scope_filters(scope)
    fmt = requested_format(request)
    if fmt:
        # Personal data leaves the system: the password again when the last sign-in is old (issue 13 B1).
        return export_list(
            request,
            fmt=fmt,
            listed=lambda: exposure_list_file(staff_exposure_rows(scope=scope)),
            audit_action="stats.staff_exposure.exported",
            filters=filters,
        )
    rows = staff_exposure_rows(scope=scope)
    audit_read(actor=request.user, action="stats.staff_exposure.viewed", filters=filters, count=len(rows))
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("encoding", None)
    return render(request, "stats/staff_exposure.html", {**context, "rows": rows, "query_string": query.urlencode()})
