from django.apps import apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mamoru.exports import export_list, requested_format
from mamoru.forms import applied_filters

from . import exports
from .forms import AuditFilterForm
from .permissions import may_read_audit_contents
from .selectors import audit_entry_list
from .services import audit_read


def _kind(object_type: str) -> str:
    """「対応記録」 for records.contact; the code itself for a kind no longer known."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def _target(entry, contents: bool) -> str:
    if not entry.object_type:
        return ""
    if contents and entry.object_repr:
        return entry.object_repr
    return f"{_kind(entry.object_type)} ID {entry.object_id}"


@require_GET
def audit_list(request):
    """The audit log, read-only: the specialist section and administrators. The
    administrator sees the kind and id of each object, never its name or contents."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entry_list(user=request.user, **{k: v for k, v in filters.items() if v})
    contents = may_read_audit_contents(request.user)
    fmt = requested_format(request)
    if fmt and form.is_bound and not form.is_valid():
        # Never the whole log instead of the part asked for: say what to correct.
        messages.error(request, _("絞り込みの条件に誤りがあるため、書き出しませんでした。条件を直してください。"))
    elif fmt:
        return export_list(
            request,
            fmt=fmt,
            listed=lambda: exports.audit_list_file(entries, target=_target, contents=contents),
            audit_action="audit.entry.exported",
            filters=applied_filters(form),
        )
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    audit_read(
        actor=request.user,
        action="audit.entry.listed",
        filters={**applied_filters(form), "ページ": page.number},
        count=page.paginator.count,
    )
    rows = [(entry, _target(entry, contents)) for entry in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    query.pop("encoding", None)
    return render(
        request,
        "audit/audit_list.html",
        {"form": form, "page": page, "rows": rows, "contents": contents, "query_string": query.urlencode()},
    )
