from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import AuditFilterForm
from .selectors import audit_entry_list


@require_GET
def audit_list(request):
    """The audit log, read-only: the specialist section and administrators."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entry_list(user=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/audit_list.html", {"form": form, "page": page, "query_string": query.urlencode()})
