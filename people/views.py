from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import is_specialist, require_handler
from audit.services import audit_read
from mamoru.forms import add_service_errors

from . import merging, selectors, services
from .forms import ResidentForm, ResidentMergeForm, ResidentMergeUndoForm
from .matching import PersonFields


def _require_handler(request):
    require_handler(request.user, _("住民等の情報を扱う権限がありません。"))


def resident_list(request):
    _require_handler(request)
    query = request.GET.get("q", "")
    residents = selectors.resident_list(user=request.user, query=query)
    page = Paginator(residents, 50).get_page(request.GET.get("page"))
    audit_read(
        actor=request.user,
        action="people.resident.listed",
        filters={"キーワード": query, "ページ": page.number},
        count=page.paginator.count,
    )
    page.object_list = selectors.resident_list_with_badges(user=request.user, residents=page.object_list)
    return render(request, "people/resident_list.html", {"page": page, "q": query})


def resident_pick(request):
    """The resident picker on the contact form (htmx): up to 10 matches."""
    _require_handler(request)
    query = request.GET.get("q", "").strip()
    results = selectors.resident_pick_list(user=request.user, query=query)
    if query:
        audit_read(
            actor=request.user, action="people.resident.picked", filters={"キーワード": query}, count=len(results)
        )
    selectors.resident_list_with_badges(user=request.user, residents=[resident for resident, _duplicates in results])
    return render(request, "people/_resident_pick.html", {"results": results, "q": query})


def resident_duplicates(request):
    """Residents that may be the person being registered or edited (htmx
    fragment under the resident form). Anyone who handles records sees them
    and may pick one; only the specialist section merges."""
    _require_handler(request)
    name = request.GET.get("name", "").strip()[:100]
    kana = request.GET.get("name_kana", "").strip()[:100]
    address = request.GET.get("address", "").strip()[:300]
    phones = [line.strip()[:40] for line in request.GET.get("phones", "").splitlines() if line.strip()][:3]
    try:
        exclude = [int(request.GET["exclude"])] if request.GET.get("exclude") else []
    except ValueError:
        exclude = []
    best: dict[int, object] = {}
    if name or kana or phones:
        for phone in phones or [""]:
            fields = PersonFields(name=name, kana=kana, phone=phone, address=address)
            for candidate in selectors.resident_duplicates(user=request.user, fields=fields, exclude_ids=exclude):
                known = best.get(candidate.resident.pk)
                if known is None or candidate.decision.score > known.decision.score:
                    best[candidate.resident.pk] = candidate
    candidates = sorted(best.values(), key=lambda candidate: -candidate.decision.score)[:5]
    if name or kana or phones:
        audit_read(
            actor=request.user,
            action="people.resident.duplicates_listed",
            filters={"氏名": name, "ふりがな": kana, "住所": address, "電話番号": "、".join(phones)},
            count=len(candidates),
        )
    next_url = request.GET.get("next", "")
    return render(
        request,
        "people/_resident_duplicates.html",
        {"candidates": candidates, "next": next_url if next_url.startswith("/contacts/") else ""},
    )


def resident_detail(request, pk):
    resident = selectors.resident_get(user=request.user, pk=pk)
    services.resident_mark_viewed(actor=request.user, resident=resident)
    merge = selectors.resident_active_merge(user=request.user, resident=resident)
    # The specialist's 「同一人物の可能性」 panel loads after the page (htmx), so the history shows at once.
    similar = request.user.is_specialist and resident.merged_into_id is None
    return render(
        request,
        "people/resident_detail.html",
        {
            "resident": resident,
            "merge": merge,
            "undo_form": ResidentMergeUndoForm() if merge and request.user.is_specialist else None,
            "similar_url": reverse("people:resident_similar", args=[resident.pk]) if similar else "",
        },
    )


def resident_similar(request, pk):
    """The specialist's panel of records that may be the same person, with the
    reasons and a link to merge (htmx fragment of the resident page)."""
    if not request.user.is_specialist:
        raise Http404(_("住民等が見つかりません。"))
    resident = selectors.resident_get(user=request.user, pk=pk)
    duplicates = []
    if resident.merged_into_id is None:
        duplicates = selectors.resident_duplicates(
            user=request.user, fields=PersonFields.of_resident(resident), exclude_ids=(resident.pk,)
        )
    audit_read(actor=request.user, action="people.resident.similar_listed", obj=resident, count=len(duplicates))
    return render(request, "people/_resident_similar.html", {"resident": resident, "duplicates": duplicates})


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
    if resident.merged_into_id:
        messages.error(request, _("統合された住民等は編集できません。統合先の住民等を編集してください。"))
        return redirect("people:resident_detail", pk=resident.pk)
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


def _require_specialist(request):
    if not is_specialist(request.user):
        raise Http404(_("ページが見つかりません。"))


def resident_merge(request, pk, other_pk):
    """Confirm a merge of two residents, side by side (specialist section only)."""
    _require_specialist(request)
    first = selectors.resident_get(user=request.user, pk=pk)
    second = selectors.resident_get(user=request.user, pk=other_pk)
    residents = sorted([first, second], key=lambda resident: (resident.created_at, resident.pk))
    form = ResidentMergeForm(request.POST or None, residents=residents, initial={"keep": residents[0].pk})
    if request.method == "POST" and form.is_valid():
        target = first if form.cleaned_data["keep"] == first.pk else second
        source = second if target is first else first
        try:
            merging.resident_merge(actor=request.user, source=source, target=target, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("住民等 No.{source_pk}「{source}」を No.{target_pk}「{target}」に統合しました。").format(
                    source_pk=source.pk, source=source.name, target_pk=target.pk, target=target.name
                ),
            )
            return redirect("people:resident_detail", pk=target.pk)
    return render(request, "people/resident_merge.html", {"form": form, "residents": residents})


def resident_merge_undo(request, pk):
    """Undo a merge, with the reason (specialist section only)."""
    _require_specialist(request)
    merge = selectors.resident_merge_get(user=request.user, pk=pk)
    form = ResidentMergeUndoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merging.resident_merge_undo(actor=request.user, merge=merge, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("住民等 No.{source_pk}「{source}」と No.{target_pk}「{target}」の統合を取り消しました。").format(
                    source_pk=merge.source_id,
                    source=merge.source.name,
                    target_pk=merge.target_id,
                    target=merge.target.name,
                ),
            )
            return redirect("people:resident_detail", pk=merge.source_id)
    return render(request, "people/resident_merge_undo.html", {"form": form, "merge": merge})


def resident_merge_list(request):
    """The history of merges (住民等の統合履歴), for the specialist section."""
    _require_specialist(request)
    merges = selectors.resident_merge_list(user=request.user)
    page = Paginator(merges, 50).get_page(request.GET.get("page"))
    audit_read(
        actor=request.user, action="people.merge.listed", filters={"ページ": page.number}, count=page.paginator.count
    )
    return render(request, "people/resident_merge_list.html", {"page": page})
