from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mamoru.forms import add_service_errors

from . import selectors, services
from .forms import ResidentForm


def _require_handler(request):
    if not request.user.handles_records:
        raise PermissionDenied(_("住民等の情報を扱う権限がありません。"))


def resident_list(request):
    _require_handler(request)
    query = request.GET.get("q", "")
    residents = selectors.resident_list(user=request.user, query=query)
    page = Paginator(residents, 50).get_page(request.GET.get("page"))
    return render(request, "people/resident_list.html", {"page": page, "q": query})


def resident_pick(request):
    """The resident picker on the contact form (htmx): up to 10 matches."""
    _require_handler(request)
    query = request.GET.get("q", "").strip()
    residents = selectors.resident_list(user=request.user, query=query)[:10] if query else []
    return render(request, "people/_resident_pick.html", {"residents": residents, "q": query})


def resident_detail(request, pk):
    resident = selectors.resident_get(user=request.user, pk=pk)
    services.resident_mark_viewed(actor=request.user, resident=resident)
    contacts = selectors.resident_contact_list(user=request.user, resident=resident)
    page = Paginator(contacts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "people/resident_detail.html",
        {
            "resident": resident,
            "page": page,
            "department_counts": selectors.resident_department_counts(user=request.user, resident=resident),
        },
    )


def resident_create(request):
    _require_handler(request)
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(actor=request.user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("住民等「{name}」を登録しました。").format(name=resident.name))
            next_url = request.POST.get("next", "")
            if next_url.startswith("/contacts/"):
                return redirect(f"{next_url}?resident={resident.pk}")
            return redirect("people:resident_detail", pk=resident.pk)
    return render(
        request, "people/resident_form.html", {"form": form, "resident": None, "next": request.GET.get("next", "")}
    )


def resident_edit(request, pk):
    resident = selectors.resident_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = ResidentForm(request.POST)
        if form.is_valid():
            try:
                services.resident_update(actor=request.user, resident=resident, **form.values())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("住民等の情報を更新しました。"))
                return redirect("people:resident_detail", pk=pk)
    else:
        form = ResidentForm(initial=ResidentForm.initial_for(resident))
    return render(request, "people/resident_form.html", {"form": form, "resident": resident})
