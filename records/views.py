"""Contact pages: thin views over records.services and records.selectors."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import require_handler
from audit.services import audit_read
from mamoru.exports import export_list, requested_format
from mamoru.forms import add_service_errors, applied_filters
from mamoru.policy.loader import current as current_policy

from . import exports, selectors, services
from .choices import HarassmentJudgement
from .forms import ContactDeleteForm, ContactFilterForm, ContactForm, ContactJudgementForm, ContactStartForm
from .hooks import contact_clock_limits, contact_form_saved
from .models import Contact, ContactRevision
from .permissions import may_decide_judgement


def home(request):
    if not request.user.handles_records:
        return redirect("accounts:administration")
    recent = selectors.contact_table_rows(
        selectors.contact_table_list(user=request.user).filter(staff=request.user)[:10]
    )
    return render(
        request,
        "records/home.html",
        {"live_contacts": selectors.contact_live_list(user=request.user), "recent_contacts": recent},
    )


@require_POST
def contact_start(request):
    require_handler(request.user)
    form = ContactStartForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(
            request, _("対応を開始できませんでした: ") + "、".join(e for errs in form.errors.values() for e in errs)
        )
        return redirect("records:home")
    try:
        contact = services.contact_start(
            actor=request.user,
            channel=form.cleaned_data["channel"],
            department=form.cleaned_data["department"],
            resident=form.cleaned_data["resident"],
        )
    except ValidationError as error:
        messages.error(request, _("対応を開始できませんでした: ") + "、".join(error.messages))
        return redirect("records:home")
    return redirect("records:contact_detail", pk=contact.pk)


def contact_detail(request, pk):
    contact = selectors.contact_get(user=request.user, pk=pk)
    services.contact_mark_viewed(actor=request.user, contact=contact)
    return render(
        request,
        "records/contact_detail.html",
        {
            "contact": contact,
            "may_decide_judgement": may_decide_judgement(request.user, contact),
            **_clock_context(contact),
        },
    )


def _clock_context(contact):
    """The live clock's limits: the pack's, unless an app built on records
    answers others for this contact (``hooks.contact_clock_limits``; measures:
    a response restriction's time limit). Only a live contact shows the clock."""
    if not contact.is_live:
        return {}
    timing = current_policy().response_time
    warning, limit = contact_clock_limits.first(contact=contact) or (timing.warning_minutes, timing.limit_minutes)
    return {
        "server_now": timezone.now(),
        "warning_seconds": warning * _seconds_per_minute(),
        "limit_seconds": limit * _seconds_per_minute(),
        "warning_minutes": warning,
        "limit_minutes": limit,
    }


def _seconds_per_minute():
    return settings.MAMORU_TIMER_SECONDS_PER_MINUTE


@require_GET
def contact_clock(request, pk):
    """The live clock's state from the server. The page polls it, which also
    keeps the session of an open live-contact page alive."""
    contact = selectors.contact_get(user=request.user, pk=pk)
    now = timezone.now()
    end = contact.ended_at or now
    return JsonResponse(
        {
            "started_at": contact.started_at.isoformat(),
            "ended_at": contact.ended_at.isoformat() if contact.ended_at else None,
            "server_now": now.isoformat(),
            "elapsed_seconds": int((end - contact.started_at).total_seconds()),
        }
    )


@require_POST
def contact_end(request, pk):
    contact = selectors.contact_get(user=request.user, pk=pk)
    try:
        services.contact_end(actor=request.user, contact=contact)
    except ValidationError as error:
        messages.error(request, "、".join(error.messages))
    else:
        messages.success(
            request, _("対応を終了しました。カスタマーハラスメントの判断を含め、対応記録票を記入してください。")
        )
    return redirect(reverse("records:contact_edit", args=[pk]) + "#judgement")  # the form opens at the judgement


def _saved(request, contact, text):
    """The save's message; an ended contact still 未判断 is saved but flagged as needing a judgement."""
    if contact.ended_at is not None and contact.harassment == HarassmentJudgement.UNDECIDED:
        messages.warning(
            request,
            _(
                "{text}カスタマーハラスメントの判断が「未判断」のままです。"
                "対応終了から{hours}時間を過ぎると、あなたと上司のやることリストに載ります。"
            ).format(text=text, hours=current_policy().judgement.due_hours),
        )
    else:
        messages.success(request, text)


def contact_edit(request, pk):
    contact = selectors.contact_get(user=request.user, pk=pk)
    conflict = None
    if request.method == "POST":
        form = ContactForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                contact = _save_with_form_additions(
                    request,
                    created=False,
                    save=lambda: services.contact_update(
                        actor=request.user,
                        contact=contact,
                        data=_keep_exact_times(form.contact_data(), contact),
                        expected_version=form.cleaned_data.get("version"),
                    ),
                )
            except services.ContactVersionConflict:
                conflict = _version_conflict(request, contact, form.cleaned_data.get("version"))
                # The user's input stays; saving again (after reading what changed) saves over the newest version.
                data = request.POST.copy()
                data["version"] = conflict["version"]
                form = ContactForm(data, user=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                _saved(request, contact, _("対応記録を保存しました。"))
                return redirect("records:contact_detail", pk=pk)
    else:
        services.contact_mark_viewed(actor=request.user, contact=contact)
        initial = ContactForm.initial_for(contact)
        if request.GET.get("resident"):  # back from 住民等を新規登録 with the new resident
            initial["resident"] = request.GET["resident"]
        form = ContactForm(initial=initial, user=request.user)
    return render(
        request,
        "records/contact_form.html",
        {"form": form, "contact": contact, "conflict": conflict, **_clock_context(contact)},
    )


def _field_labels(user) -> dict[str, str]:
    """The contact's fields by their labels, as the history and the conflict list show them."""
    labels = {name: field.label for name, field in ContactForm(user=user).fields.items()}
    # The form labels the three reasons just 「理由」 (each sits under its question); here they stand alone.
    labels.update({name: Contact._meta.get_field(name).verbose_name for name in services.REASON_FIELDS})
    return labels


def _version_conflict(request, contact, based_on) -> dict:
    """What others changed since the version the user's form was based on: each
    field with its newest value, and who saved."""
    current = Contact.objects.get(pk=contact.pk)
    revisions = list(
        ContactRevision.objects.filter(contact=contact, version__gte=based_on or 0)
        .select_related("changed_by")
        .order_by("version")
    )
    base = next((r.snapshot for r in revisions if r.version == based_on), None)
    newest = revisions[-1].snapshot if revisions else {}
    labels = _field_labels(request.user)
    later = [r for r in revisions if r.version != based_on]
    if base is not None:
        names = [name for name in newest if base.get(name) != newest[name]]
    else:  # the base version is unknown: list what the later versions changed
        order = {name: index for index, name in enumerate(newest)}
        names = sorted({name for r in later for name in r.changed_fields}, key=lambda n: order.get(n, len(order)))
    return {
        "version": current.version,
        "changes": [(labels.get(name, name), newest.get(name, "")) for name in names],
        "editors": sorted({r.changed_by.display_name for r in later}),
    }


def _keep_exact_times(data, contact):
    """The form shows times to the minute. A time the user left as it was keeps
    its stored seconds, so saving the form neither moves a live clock nor
    changes the duration that 対応終了 recorded."""
    for name in ("started_at", "ended_at"):
        stored, submitted = getattr(contact, name), getattr(data, name)
        if stored and submitted and submitted == timezone.localtime(stored).replace(second=0, microsecond=0):
            setattr(data, name, stored)
    return data


def _save_with_form_additions(request, *, created, save):
    """The contact (``save()``), and what apps added to the form through their
    panels, together (``hooks.contact_form_saved``; assessment: the accept/reject
    clicks on its suggestions made before the contact existed). When no app has
    anything to add (most saves) the service's own transaction is enough."""
    additions = contact_form_saved.collect(request=request, created=created)
    if not additions:
        return save()
    with transaction.atomic():
        contact = save()
        for addition in additions:
            addition(contact=contact)
    return contact


def contact_new(request):
    """Record a contact after the fact (a letter, a mail, a call written up later)."""
    require_handler(request.user)
    if request.method == "POST":
        form = ContactForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                contact = _save_with_form_additions(
                    request,
                    created=True,
                    save=lambda: services.contact_create(actor=request.user, data=form.contact_data()),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                _saved(request, contact, _("対応記録を作成しました。"))
                return redirect("records:contact_detail", pk=contact.pk)
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = ContactForm(
            initial={
                "department": request.user.department,
                "staff": request.user,
                "started_at": now,
                "ended_at": now,
                "channel": request.GET.get("channel", "mail"),
                "harassment": "undecided",
                "resident": request.GET.get("resident"),
            },
            user=request.user,
        )
    return render(request, "records/contact_form.html", {"form": form, "contact": None})


def contact_list(request):
    require_handler(request.user)
    form = ContactFilterForm(request.GET or None, user=request.user)
    export = requested_format(request)
    if form.is_bound and not form.is_valid():
        # Never the list (or an export) without the filters asked for: say what to correct instead.
        if export:
            messages.error(request, _("絞り込みの条件に誤りがあるため、書き出しませんでした。条件を直してください。"))
        contacts = selectors.contact_table_list(user=request.user, filters=None).none()
        page = Paginator(contacts, _page_size()).get_page(1)
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        query.pop("encoding", None)
        return render(
            request,
            "records/contact_list.html",
            {"form": form, "page": page, "query_string": query.urlencode()},
            status=400,
        )
    contacts = selectors.contact_table_list(user=request.user, filters=form.to_filter())
    filters = applied_filters(form)
    if export:
        # A second sign-in before every export (issue 13 B1), then the export, audited with its filters.
        return export_list(
            request,
            fmt=export,
            listed=lambda: exports.contact_list_file(exports.export_pks(contacts)),
            audit_action="records.contact.exported",
            filters=filters,
        )
    page = Paginator(contacts, _page_size()).get_page(request.GET.get("page"))
    audit_read(actor=request.user, action="records.contact.listed", filters=filters, count=page.paginator.count)
    page.object_list = selectors.contact_table_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("encoding", None)
    return render(
        request,
        "records/contact_list.html",
        {"form": form, "page": page, "query_string": query.urlencode()},
    )


def _page_size():
    return settings.MAMORU_PAGE_SIZE


def contact_print(request, pk):
    contact = selectors.contact_get(user=request.user, pk=pk)
    services.contact_mark_viewed(actor=request.user, contact=contact, printed=True)
    return render(request, "records/contact_print.html", {"contact": contact, "printed_at": timezone.now()})


def contact_history(request, pk):
    contact = selectors.contact_get(user=request.user, pk=pk)
    services.contact_mark_viewed(actor=request.user, contact=contact)
    revisions = ContactRevision.objects.filter(contact=contact).select_related("changed_by")
    labels = _field_labels(request.user)
    for revision in revisions:
        revision.rows = [
            (labels.get(name, name), value, revision.version > 1 and name in revision.changed_fields)
            for name, value in revision.snapshot.items()
        ]
    return render(request, "records/contact_history.html", {"contact": contact, "revisions": revisions})


def contact_judgement(request, pk):
    """判断待ち: a supervisor records the decision on a contact recorded as 判断に迷う."""
    contact = selectors.contact_get(user=request.user, pk=pk)
    if not may_decide_judgement(request.user, contact):  # say so before the reason is typed, not after
        raise PermissionDenied(_("判断を記録できるのは、この課の上司・管理職または専門部署です。"))
    if contact.harassment != HarassmentJudgement.UNSURE:
        messages.info(
            request,
            _("この対応記録は判断待ちではありません（現在「{judgement}」）。").format(
                judgement=contact.get_harassment_display()
            ),
        )
        return redirect("records:contact_detail", pk=pk)
    form = ContactJudgementForm(
        request.POST or None, initial={"categories": [c.code for c in contact.categories.all()]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_judgement_decide(
                actor=request.user,
                contact=contact,
                harassment=form.cleaned_data["harassment"],
                reason=form.cleaned_data["reason"],
                categories=form.cleaned_data["categories"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            contact.refresh_from_db(fields=["harassment"])
            messages.success(
                request,
                _("判断を「{judgement}」として記録しました。").format(judgement=contact.get_harassment_display()),
            )
            return redirect("records:contact_detail", pk=pk)
    else:
        services.contact_mark_viewed(actor=request.user, contact=contact)
    return render(request, "records/contact_judgement.html", {"contact": contact, "form": form})


def contact_delete(request, pk):
    contact = selectors.contact_get(user=request.user, pk=pk)
    if not request.user.is_supervisor_or_above:  # say so before the reason is typed, not after
        raise PermissionDenied(_("対応記録を削除できるのは上司・管理職・専門部署のみです。"))
    form = ContactDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_delete(actor=request.user, contact=contact, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("{contact} を削除しました。").format(contact=contact))
            return redirect("records:contact_list")
    return render(request, "records/contact_delete.html", {"contact": contact, "form": form})
