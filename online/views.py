"""Pages of online posts about staff: report one, the list of open posts (most urgent
first), a post's page with its timeline and the step form. Outsiders get a 404."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_specialist, require_handler
from audit.services import audit_read
from letters.views import issued_letter_response
from mamoru.exports import export_list, requested_format
from mamoru.forms import add_service_errors

from . import exports, selectors, services
from .choices import PostState, StepKind
from .deadlines import deadlines_of
from .forms import LetterForm, PostReportForm, StepForm, UrlAddForm
from .letters import post_letter_issue
from .permissions import may_record_step


def _get(request, pk):
    post = selectors.post_get(user=request.user, pk=pk)
    if post is None:
        raise Http404(_("ページが見つかりません。"))
    return post


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def post_list(request):
    """Open posts, most urgent first (the nearest due date), then the closed ones."""
    require_handler(request.user)
    show = request.GET.get("show", "open")
    posts = list(selectors.post_list(user=request.user, open_only=show != "all").prefetch_related("steps"))
    today = timezone.localdate()
    for post in posts:
        found = deadlines_of(post)
        post.next_deadline = min(found, key=lambda d: d.due_on) if found else None
        post.days_left = post.next_deadline.days_left(today) if post.next_deadline else None
        post.days_over = -post.days_left if post.days_left is not None else None
        post.platform_label = services.platform_label(post)
    far = dt.date.max
    posts.sort(
        key=lambda p: (
            p.state != PostState.OPEN,
            p.next_deadline.due_on if p.next_deadline else far,
            -p.found_at.timestamp(),
        )
    )
    fmt = requested_format(request)
    if fmt:
        return export_list(
            request,
            fmt=fmt,
            listed=lambda: exports.post_list_file(posts),
            audit_action="online.post.exported",
            filters={"表示": _("すべて") if show == "all" else _("対応中")},
        )
    audit_read(actor=request.user, action="online.post.listed", filters={"show": show}, count=len(posts))
    return _no_store(
        render(
            request,
            "online/post_list.html",
            {"posts": posts, "show": show, "today": today, "may_report_any": is_specialist(request.user)},
        )
    )


def post_report(request):
    require_handler(request.user)
    form = PostReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        staff = list(data["affected_staff"]) if "affected_staff" in data else [request.user]
        try:
            registered = services.post_register(
                actor=request.user,
                urls=form.url_list(),
                platform=data["platform"],
                platform_name=data["platform_name"],
                affected_staff=staff,
                exposures=data["exposures"],
                exposure_note=data["exposure_note"],
                content=data["content"],
                posted_at=data["posted_at"],
                found_at=data["found_at"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if registered.joined:
                messages.info(
                    request,
                    _("この URL は既に登録されていました（投稿 {n}）。この報告はその投稿に追加しました。").format(
                        n=registered.post.number
                    ),
                )
            else:
                messages.success(request, _("投稿を登録しました（投稿 {n}）。").format(n=registered.post.number))
            return redirect("online:post_detail", pk=registered.post.pk)
    return _no_store(render(request, "online/post_report.html", {"form": form}))


def _detail_context(request, post, *, step_form=None, url_form=None, letter_form=None):
    today = timezone.localdate()
    found = [{"deadline": d, "left": d.days_left(today)} for d in sorted(deadlines_of(post), key=lambda d: d.due_on)]
    return {
        "post": post,
        "platform_label": services.platform_label(post),
        "steps": post.steps.select_related("recorded_by").order_by("happened_on", "recorded_at", "id"),
        "deadlines": found,
        "today": today,
        "may_record_step": may_record_step(request.user, post),
        "step_form": step_form or StepForm(initial={"happened_on": today}),
        "url_form": url_form or UrlAddForm(),
        "letter_form": letter_form or LetterForm(post=post),
        "letters": post.letters.select_related("letter", "requester"),
        "step_kinds": StepKind,
    }


def post_detail(request, pk):
    post = _get(request, pk)
    services.post_mark_viewed(actor=request.user, post=post)
    return _no_store(render(request, "online/post_detail.html", _detail_context(request, post)))


@require_POST
def post_step_add(request, pk):
    post = _get(request, pk)
    if not may_record_step(request.user, post):
        raise PermissionDenied(_("投稿への対応の段階を記録できるのは専門部署のみです。"))
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.post_step_record(
                actor=request.user,
                post=post,
                kind=form.cleaned_data["kind"],
                happened_on=form.cleaned_data["happened_on"],
                details=form.details(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("「{k}」を記録しました。").format(k=StepKind(form.cleaned_data["kind"]).label))
            return redirect("online:post_detail", pk=post.pk)
    post.refresh_from_db()
    return _no_store(
        render(request, "online/post_detail.html", _detail_context(request, post, step_form=form), status=400)
    )


@require_POST
def post_url_add(request, pk):
    post = _get(request, pk)
    form = UrlAddForm(request.POST)
    if form.is_valid():
        try:
            services.post_url_add(actor=request.user, post=post, url=form.cleaned_data["url"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("URL を追加しました。"))
            return redirect("online:post_detail", pk=post.pk)
    return _no_store(
        render(request, "online/post_detail.html", _detail_context(request, post, url_form=form), status=400)
    )


@require_POST
def post_letter_add(request, pk):
    """Issue a 送信防止措置依頼書 or 削除依頼 from the record (the specialist section)."""
    post = _get(request, pk)
    if not may_record_step(request.user, post):
        raise PermissionDenied(_("依頼書を作成できるのは専門部署のみです。"))
    form = LetterForm(request.POST, post=post)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = post_letter_issue(
                actor=request.user,
                post=post,
                kind=data["kind"],
                on_behalf=data["on_behalf"],
                requester=data["requester"],
                provider=data["provider"],
                provider_address=data["provider_address"],
                rights=data["rights"],
                reasons=data["reasons"],
                content=data["content"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("「{t}」を作成しました。").format(t=made.letter.title))
            return redirect("online:post_detail", pk=post.pk)
    return _no_store(
        render(request, "online/post_detail.html", _detail_context(request, post, letter_form=form), status=400)
    )


def post_letter_pdf(request, pk, letter_pk):
    post = _get(request, pk)
    made = post.letters.select_related("letter").filter(pk=letter_pk).first()
    if made is None:
        raise Http404(_("ページが見つかりません。"))
    audit_read(
        actor=request.user,
        action="online.post.letter_read",
        obj=post,
        filters={"letter": made.letter.document_number or made.pk},
    )
    return _no_store(issued_letter_response(made.letter))
