"""The evidence pages: adding files to a contact or a case (several at once), the
evidence page with its chain of custody, and the file itself — played, viewed or
downloaded only after the purpose is given."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from audit.services import audit_read
from cases.selectors import case_get
from records.selectors import contact_get

from . import permissions, selectors, services, storage, subjects
from .choices import CustodyKind
from .forms import EvidenceAddForm, EvidenceOpenForm
from .incoming import HashingUploadHandler, incoming_from_stream, incoming_from_upload
from .ranges import ranged_response

logger = logging.getLogger(__name__)

# How long the player's address stays good after the purpose was given (seconds).
PLAYER_GRANT_SECONDS = 4 * 60 * 60
_SIGNER_SALT = "evidence.file"


@dataclass(frozen=True)
class Outcome:
    """What became of one file of an upload."""

    name: str
    evidence: object | None = None
    note: str = ""
    duplicate: bool = False
    error: str = ""


def _target(request, target: str, pk: int, key: str = ""):
    if target == "subject":  # a registered subject (evidence.subjects), e.g. a request from another business
        registration = subjects.subject_by_key(key)
        if registration is None:
            raise Http404(_("ページが見つかりません。"))
        obj = registration.get(request.user, pk)
        return obj, {"subject": (registration, obj)}
    if target == "post":  # online stream (issue 15 A)
        from online.selectors import post_get

        obj = post_get(user=request.user, pk=pk)
        if obj is None:
            raise Http404(_("ページが見つかりません。"))
        return obj, {"post": obj}
    if target == "contact":
        obj = contact_get(user=request.user, pk=pk)
        return obj, {"contact": obj}
    obj = case_get(user=request.user, pk=pk)
    return obj, {"case": obj}


def _message(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@csrf_exempt
@require_POST
def evidence_upload(request, target: str, pk: int, key: str = ""):
    """Add files to a contact or a case. Each file is hashed by the upload handler as
    its bytes arrive (before the POST is read: the handlers must be set first, so the
    CSRF check comes after, as Django's documentation shows)."""
    if not hasattr(request, "_files"):  # not yet read (mamoru.middleware sets them when it reads first)
        request.upload_handlers = upload_handlers(request)
    return _evidence_upload(request, target, pk, key)


def upload_handlers(request):
    """Each file hashed as its bytes arrive (registered in ``apps.py`` for the middleware)."""
    return [HashingUploadHandler(request)]


@csrf_protect
def _evidence_upload(request, target: str, pk: int, key: str = ""):
    obj, attach = _target(request, target, pk, key)
    files = request.FILES.getlist("files")
    form = EvidenceAddForm(request.POST)
    if target == "subject":
        registration = attach["subject"][0]
        if not registration.may_add(request.user, obj):
            raise PermissionDenied(_("この{name}に証拠を登録する権限がありません。").format(name=registration.name))
    elif target == "post":
        if not permissions.may_add_to_post(request.user, obj):
            raise PermissionDenied(_("この投稿に証拠を登録する権限がありません。"))
    elif not permissions.may_add_to(request.user, obj.department_id):
        raise PermissionDenied(_("この課の対応記録・事案に証拠を登録する権限がありません。"))
    outcomes: list[Outcome] = []
    if not files:
        form.add_error(None, _("登録するファイルを選んでください。"))
    if form.is_valid():
        data = form.cleaned_data
        for upload in files:
            try:
                incoming = _incoming(upload)
                added = services.evidence_add(
                    actor=request.user,
                    incoming=incoming,
                    kind=data["kind"],
                    description=data["description"],
                    captured_by_name=data["captured_by_name"],
                    captured_at=data["captured_at"],
                    captured_place=data["captured_place"],
                    **attach,
                )
            except (ValidationError, PermissionDenied) as error:
                outcomes.append(Outcome(name=services.clean_name(upload.name), error=_message(error)))
                continue
            except OSError:  # the storage failed for this file: the others still go in
                logger.exception("evidence upload: storing %s failed", upload.name)
                outcomes.append(
                    Outcome(
                        name=services.clean_name(upload.name),
                        error=_("保存先に書き込めませんでした。時間をおいてもう一度登録してください。"),
                    )
                )
                continue
            outcomes.append(
                Outcome(
                    name=added.evidence.original_name,
                    evidence=added.evidence,
                    note=added.note,
                    duplicate=added.duplicate_of is not None,
                )
            )
    status = 200 if outcomes and any(o.evidence for o in outcomes) else 400
    return render(
        request,
        "evidence/upload_result.html",
        {
            "obj": obj,
            "target": target,
            "subject_key": key,
            "back_url": _back_url(target, obj, attach),
            "evidence_max_bytes": settings.MAMORU_EVIDENCE_MAX_BYTES,
            "form": form,
            "outcomes": outcomes,
            "added": sum(1 for o in outcomes if o.evidence),
            "refused": sum(1 for o in outcomes if o.error),
            "evidence_list": selectors.evidence_for(user=request.user, **attach),
        },
        status=status,
    )


def _incoming(upload):
    """The upload as received by ``HashingUploadHandler`` (hashed already); any other
    upload (a handler set elsewhere) is hashed now, in chunks."""
    if hasattr(upload, "sha256") and hasattr(upload, "temporary_file_path"):
        return incoming_from_upload(upload)
    return incoming_from_stream(upload, name=upload.name or "")


def _back_url(target: str, obj, attach: dict) -> str:
    if target == "subject":
        return attach["subject"][0].url(obj)
    if target == "post":
        return reverse("online:post_detail", args=[obj.pk])
    if target == "contact":
        return reverse("records:contact_detail", args=[obj.pk])
    return reverse("cases:case_detail", args=[obj.pk])


def _grant(*, user, evidence, kind: str) -> str:
    return signing.dumps({"u": user.pk, "e": evidence.pk, "k": kind}, salt=_SIGNER_SALT, compress=True)


def _detail_context(request, evidence, *, open_form=None, opened: str = "", token: str = ""):
    stored = evidence.stored_file
    family = stored.content_type.split("/", 1)[0]
    found = subjects.subject_of(evidence)
    return {
        "evidence": evidence,
        "subject_url": found[0].url(found[1]) if found else "",
        "subject_name": found[0].name if found else "",
        "stored": stored,
        "family": family,
        "playable": family in ("audio", "video"),
        "viewable": family == "image" or stored.content_type == "application/pdf",
        "custody": evidence.custody.select_related("actor").order_by("at", "id"),
        "open_form": open_form or EvidenceOpenForm(),
        "opened": opened,
        "token": token,
        "may_manage": permissions.may_manage(request.user, evidence),
        "available": evidence.deleted_at is None and not stored.is_purged,
    }


@require_GET
def evidence_detail(request, pk: int):
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    audit_read(actor=request.user, action="evidence.evidence.read", obj=evidence)
    return render(request, "evidence/evidence_detail.html", _detail_context(request, evidence))


@require_POST
def evidence_open(request, pk: int):
    """Play, view or download, after the purpose: a custody event each time. Playing and
    viewing answer the page with the player, whose address carries a signed grant so the
    player's range requests need no second purpose; a download is the file itself."""
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    form = EvidenceOpenForm(request.POST)
    if not form.is_valid():
        return render(
            request, "evidence/evidence_detail.html", _detail_context(request, evidence, open_form=form), status=400
        )
    kind = form.cleaned_data["kind"]
    try:
        handle = services.evidence_open(
            actor=request.user, evidence=evidence, kind=kind, purpose=form.cleaned_data["purpose"]
        )
    except ValidationError as error:
        messages.error(request, _message(error))
        return redirect("evidence:evidence_detail", pk=evidence.pk)
    stored = evidence.stored_file
    if kind == CustodyKind.DOWNLOADED:
        return ranged_response(
            request,
            handle,
            size=stored.size,
            content_type=stored.content_type,
            filename=evidence.original_name,
            attachment=True,
        )
    handle.close()
    token = _grant(user=request.user, evidence=evidence, kind=kind)
    return render(
        request,
        "evidence/evidence_detail.html",
        _detail_context(request, evidence, opened=kind, token=token),
    )


@require_GET
def evidence_file(request, pk: int):
    """The file for the page's player or preview: only with the grant given when the
    purpose was recorded (for this user and this evidence), streamed with Range support."""
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    try:
        grant = signing.loads(request.GET.get("grant", ""), salt=_SIGNER_SALT, max_age=PLAYER_GRANT_SECONDS)
    except signing.BadSignature:
        return HttpResponseForbidden(_("目的を入力してから再生・表示してください。"), content_type="text/plain")
    if grant.get("u") != request.user.pk or grant.get("e") != evidence.pk:
        return HttpResponseForbidden(_("目的を入力してから再生・表示してください。"), content_type="text/plain")
    stored = evidence.stored_file
    if evidence.deleted_at is not None or stored.is_purged:
        raise Http404(_("この証拠のファイルは削除されています（記録は残っています）。"))
    return ranged_response(
        request,
        storage.open_stored(stored.storage_name),
        size=stored.size,
        content_type=stored.content_type,
        filename=evidence.original_name,
    )
