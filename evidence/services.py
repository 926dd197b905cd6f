"""Changing evidence: every change is a keyword-only service in one transaction,
with its audit entry and its custody event (証拠の保管記録)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import context as audit_context
from audit.services import audit_read, audit_record
from cases.services import case_record_step
from mamoru.lib.text import clean_text
from mamoru.policy.loader import current as current_policy

from . import export, permissions, selectors, storage, subjects
from .choices import CustodyKind, EvidenceKind, HoldGround
from .detection import detect
from .incoming import IncomingFile, discard
from .models import CustodyEvent, Evidence, Handover, StoredFile
from .recordings import recording_analysis_request

logger = logging.getLogger(__name__)

# What staff may say they are adding, for each family of detected content.
KINDS_FOR_FAMILY = {
    "audio": {EvidenceKind.RECORDING, EvidenceKind.OTHER},
    "video": {EvidenceKind.VIDEO, EvidenceKind.RECORDING, EvidenceKind.OTHER},
    "image": {EvidenceKind.PHOTO, EvidenceKind.SCREENSHOT, EvidenceKind.DOCUMENT, EvidenceKind.OTHER},
    "document": {EvidenceKind.DOCUMENT, EvidenceKind.SCREENSHOT, EvidenceKind.OTHER},
    "archive": {EvidenceKind.OTHER, EvidenceKind.DOCUMENT},
}
DEFAULT_KIND = {
    "audio": EvidenceKind.RECORDING,
    "video": EvidenceKind.VIDEO,
    "image": EvidenceKind.PHOTO,
    "document": EvidenceKind.DOCUMENT,
    "archive": EvidenceKind.OTHER,
}


@dataclass(frozen=True)
class Added:
    evidence: Evidence
    duplicate_of: Evidence | None  # the same bytes were already evidence (here or elsewhere)
    note: str  # e.g. the name said JPG, the content is PNG


def custody_record(*, actor, evidence: Evidence, kind: str, purpose: str = "", detail: dict | None = None):
    """One line of the chain of custody, with the request's address (in the caller's transaction)."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return CustodyEvent.objects.create(
        evidence=evidence,
        kind=kind,
        actor=actor if authenticated else None,
        actor_name=(actor.username if authenticated else "")[:150],
        address=audit_context.current().address,
        purpose=clean_text(purpose, multiline=False).strip()[:200],
        detail=detail or {},
    )


def _clean_name(name: str) -> str:
    """The file's own name: no folders (``../``, ``C:\\``), no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = clean_text(base, multiline=False).strip().lstrip(".")
    return base[:255] or _("名称なし")


clean_name = _clean_name  # the pages name a refused file as it would have been kept


def evidence_add(
    *,
    actor,
    incoming: IncomingFile,
    contact=None,
    case=None,
    post=None,
    subject=None,
    kind: str = "",
    description: str = "",
    captured_by_name: str = "",
    captured_at: dt.datetime | None = None,
    captured_place: str = "",
) -> Added:
    """Keep ``incoming`` as evidence of ``contact``, ``case``, ``post`` or a registered ``subject``
    (``(evidence.subjects.Subject, obj)``). The type is detected from
    the content; the bytes are stored once by SHA-256 (a second upload of the same bytes
    adds a record pointing at them and says so). The temporary copy is removed."""
    try:
        return _evidence_add(
            actor=actor,
            incoming=incoming,
            contact=contact,
            case=case,
            post=post,
            subject=subject,
            kind=kind,
            description=description,
            captured_by_name=captured_by_name,
            captured_at=captured_at,
            captured_place=captured_place,
        )
    finally:
        discard(incoming)


def _evidence_add(
    *,
    actor,
    incoming,
    contact,
    case,
    kind,
    description,
    captured_by_name,
    captured_at,
    captured_place,
    post=None,
    subject=None,
):
    attach = {}
    if subject is not None:
        # A registered subject's evidence (evidence.subjects): its app says who adds and which department.
        registration, obj = subject
        if contact is not None or case is not None or post is not None:
            raise ValidationError(_("証拠は1つの対象にだけ付けてください。"))
        if not registration.may_add(actor, obj):
            raise PermissionDenied(_("この{name}に証拠を登録する権限がありません。").format(name=registration.name))
        department_id = registration.department_id(obj)
        attach = subjects.attach_fields(registration, obj)
    elif post is not None:
        # online stream (issue 15 A): a post's evidence belongs to the post (its audience reads it);
        # its department is that of the first staff member it is about.
        if contact is not None or case is not None:
            raise ValidationError(_("投稿の証拠は、対応記録・事案とは別に登録してください。"))
        if not permissions.may_add_to_post(actor, post):
            raise PermissionDenied(_("この投稿に証拠を登録する権限がありません。"))
        first = post.affected_staff.exclude(department=None).order_by("pk").first()
        department_id = first.department_id if first else actor.department_id
        if department_id is None:
            raise ValidationError(_("投稿の対象の職員に所属課がありません。"))
    elif contact is None and case is None:
        raise ValidationError(_("証拠を付ける対応記録または事案を指定してください。"))
    else:
        department_id = contact.department_id if contact is not None else case.department_id
    if case is not None and contact is not None and case.department_id != contact.department_id:
        raise ValidationError(_("対応記録と事案の担当課が異なります。"))
    if post is None and subject is None and not permissions.may_add_to(actor, department_id):
        raise PermissionDenied(_("この課の対応記録・事案に証拠を登録する権限がありません。"))
    name = _clean_name(incoming.name)
    if incoming.size > settings.MAMORU_EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("「{name}」は大きすぎます（上限 {limit} MB）。").format(
                name=name, limit=settings.MAMORU_EVIDENCE_MAX_BYTES // (1024 * 1024)
            )
        )
    detected, note = detect(head=incoming.head, name=name)
    kind = kind or DEFAULT_KIND[detected.family]
    if kind not in KINDS_FOR_FAMILY[detected.family]:
        raise ValidationError(
            _("「{name}」の内容（{extension}）は「{kind}」としては登録できません。").format(
                name=name, extension=detected.extension.upper(), kind=EvidenceKind(kind).label
            )
        )
    if captured_at is not None and captured_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("記録日時が未来になっています。"))
    # The bytes first (outside the transaction: a storage upload can take minutes); the
    # row that names them is written after, so a failed upload leaves no row behind.
    stored_name, written = storage.write(incoming=incoming)
    try:
        evidence, earlier = _evidence_row(
            actor=actor,
            incoming=incoming,
            detected=detected,
            stored_name=stored_name,
            contact=contact,
            case=case,
            post=post,
            attach=attach,
            department_id=department_id,
            kind=kind,
            name=name,
            description=description,
            captured_by_name=captured_by_name,
            captured_at=captured_at,
            captured_place=captured_place,
        )
    except BaseException:
        if written:  # no row names the bytes this call wrote: no orphan object is left
            _forget_unnamed(stored_name=stored_name, sha256=incoming.sha256)
        raise
    if earlier is not None:
        note = " ".join(
            part
            for part in (
                note,
                _("同じ内容のファイルが既に証拠として登録されています（{earlier}）。保存は1つのままです。").format(
                    earlier=earlier
                ),
            )
            if part
        )
    return Added(evidence=evidence, duplicate_of=earlier, note=note)


def _forget_unnamed(*, stored_name: str, sha256: str) -> None:
    """Remove bytes written for a row that was never committed (unless another upload's row names them).
    Whatever this misses (the process killed) ``evidence-retention`` removes later as an orphan."""
    try:
        if not StoredFile.objects.filter(sha256=sha256, purged_at__isnull=True).exists():
            storage.purge(stored_name)
    except Exception:  # the database or the storage is down too: the orphan sweep removes them later
        logger.warning("evidence: could not remove %s after a failed upload", stored_name, exc_info=True)


def _evidence_row(
    *,
    actor,
    incoming,
    detected,
    stored_name,
    contact,
    case,
    department_id,
    kind,
    name,
    post=None,
    attach=None,
    description,
    captured_by_name,
    captured_at,
    captured_place,
):
    with transaction.atomic():
        stored, created = _stored_file(incoming=incoming, detected=detected, stored_name=stored_name)
        earlier = None if created else Evidence.objects.filter(stored_file=stored).order_by("id").first()
        evidence = Evidence.objects.create(
            stored_file=stored,
            contact=contact,
            case=case,
            post=post,
            **(attach or {}),
            department_id=department_id,
            kind=kind,
            original_name=name,
            description=clean_text(description).strip(),
            captured_by_name=clean_text(captured_by_name, multiline=False).strip()[:100],
            captured_at=captured_at,
            captured_place=clean_text(captured_place, multiline=False).strip()[:200],
            uploaded_by=actor,
        )
        detail = {"sha256": stored.sha256, "size": stored.size, "content_type": stored.content_type}
        if earlier is not None:
            detail["duplicate_of"] = earlier.pk
        custody_record(
            actor=actor,
            evidence=evidence,
            kind=CustodyKind.DUPLICATE_UPLOADED if earlier is not None else CustodyKind.UPLOADED,
            detail=detail,
        )
        audit_record(actor=actor, action="evidence.evidence.added", obj=evidence, after=detail)
        # worker stream: sound is analysed in the background (the job commits with the upload)
        recording_analysis_request(stored_file=stored, family=detected.family)
    if settings.MAMORU_TSA_URL:  # timestamps stream: a token once the upload is committed
        from .timestamp_services import timestamp_after_upload

        transaction.on_commit(partial(timestamp_after_upload, stored_file_id=stored.pk))
    return evidence, earlier


def _stored_file(*, incoming, detected, stored_name) -> tuple[StoredFile, bool]:
    try:
        with transaction.atomic():
            return (
                StoredFile.objects.create(
                    sha256=incoming.sha256,
                    size=incoming.size,
                    content_type=detected.content_type,
                    extension=detected.extension,
                    storage_name=stored_name,
                ),
                True,
            )
    except IntegrityError:
        stored = StoredFile.objects.select_for_update().get(sha256=incoming.sha256)
        if stored.is_purged or not storage.is_stored(stored_name):
            # Deleted by retention, uploaded again (perhaps while retention removed the bytes
            # this upload found in place): write them again under the row's lock.
            stored_name = storage.store(incoming=incoming)
        if stored.is_purged:
            stored.purged_at = None
            stored.storage_name = stored_name
            stored.save(update_fields=["purged_at", "storage_name"])
        return stored, False


OPEN_KINDS = {CustodyKind.VIEWED, CustodyKind.PLAYED, CustodyKind.DOWNLOADED}


def evidence_open(*, actor, evidence: Evidence, kind: str, purpose: str):
    """The file's bytes for ``actor`` to view, play or download, with the purpose they gave
    (as cities' recording rules ask): a custody event and an audit entry first."""
    if kind not in OPEN_KINDS:
        raise ValueError(kind)
    if not permissions.may_view(actor, evidence):
        raise PermissionDenied(_("この証拠を閲覧する権限がありません。"))
    purpose = clean_text(purpose, multiline=False).strip()
    if not purpose:
        raise ValidationError({"purpose": _("再生・ダウンロードの目的を入力してください。")})
    if evidence.deleted_at is not None or evidence.stored_file.is_purged:
        raise ValidationError(_("この証拠のファイルは削除されています（記録は残っています）。"))
    with transaction.atomic():
        custody_record(actor=actor, evidence=evidence, kind=kind, purpose=purpose)
        audit_record(actor=actor, action=f"evidence.evidence.{kind}", obj=evidence, after={"purpose": purpose[:200]})
    return storage.open_stored(evidence.stored_file.storage_name)


# --- export stream (issue 14): the case's evidence for the police or a lawyer -------------


def evidence_export(*, actor, case, purpose: str, recipient: str = ""):
    """A case's evidence (attached to the case or to its contacts) as a ZIP ready to stream
    (``export.Archive``), with its manifests, 証拠一覧 and README. Asks for the purpose;
    every file included gets an ``exported`` custody event and the export an audit entry,
    before the first byte goes out. Files deleted or purged are listed, not included."""
    if not permissions.may_export_case(actor, case):
        raise PermissionDenied(_("この事案の証拠を書き出す権限がありません。"))
    purpose = clean_text(purpose, multiline=False).strip()[:200]
    recipient = clean_text(recipient, multiline=False).strip()[:200]
    if not purpose:
        raise ValidationError({"purpose": _("書き出しの目的を入力してください。")})
    evidence = list(selectors.evidence_of_case(user=actor, case=case))
    if not evidence:
        raise ValidationError(_("この事案には書き出せる証拠がありません。"))
    now = timezone.now()
    with transaction.atomic():
        for piece in evidence:
            if piece.deleted_at is None and not piece.stored_file.is_purged:
                custody_record(
                    actor=actor,
                    evidence=piece,
                    kind=CustodyKind.EXPORTED,
                    purpose=purpose,
                    detail={"case": case.pk, "recipient": recipient},
                )
        items = export.export_items(selectors.evidence_of_case(user=actor, case=case).prefetch_related("custody"))
        audit_record(
            actor=actor,
            action="evidence.case.exported",
            obj=case,
            after={
                "purpose": purpose,
                "recipient": recipient,
                "files": [item.evidence_id for item in items if item.included],
                "listed_only": [item.evidence_id for item in items if not item.included],
            },
        )
    return export.build_archive(
        case=case, items=items, actor_name=actor.username, recipient=recipient, purpose=purpose, exported_at=now
    )


def evidence_list_pdf(*, actor, case) -> bytes:
    """The printable 証拠一覧 (A4) of a case; printing it is audited (it names every file)."""
    if not permissions.may_export_case(actor, case):
        raise PermissionDenied(_("この事案の証拠一覧を作成する権限がありません。"))
    evidence = list(selectors.evidence_of_case(user=actor, case=case).prefetch_related("custody"))
    items = export.export_items(evidence)
    now = timezone.now()
    audit_read(actor=actor, action="evidence.case.listed", obj=case, count=len(items))
    return export.evidence_list_pdf(
        items=items,
        title="証拠一覧",
        about=[
            f"事案 No.{case.pk:06d}　担当課: {case.department.name}",
            f"作成日時: {timezone.localtime(now):%Y-%m-%d %H:%M}　作成者: {actor.username}",
        ],
        author=actor.username,
    )


def evidence_handover_record(
    *,
    actor,
    case,
    officer: str,
    station: str,
    reference: str,
    handed_on: dt.date,
    evidence_ids,
    note: str = "",
    officer_rank: str = "",
):
    """Record evidence handed to the police (証拠の警察への提出): the receiving officer,
    station, reference number (受理番号), date and which files went. A ``handed_over``
    custody event per file, an audit entry, and the pack's step 「証拠の警察への提出」
    on the case's timeline (through ``cases.services.case_record_step``) while the case
    is open. The department's supervisors and managers and the specialist section."""
    if not permissions.may_export_case(actor, case):
        raise PermissionDenied(_("この事案の証拠の提出を記録する権限がありません。"))
    officer = clean_text(officer, multiline=False).strip()[:100]
    officer_rank = clean_text(officer_rank, multiline=False).strip()[:50]
    station = clean_text(station, multiline=False).strip()[:200]
    reference = clean_text(reference, multiline=False).strip()[:100]
    note = clean_text(note).strip()
    errors = {}
    if not officer:
        errors["officer"] = _("受け取った警察官の氏名を入力してください。")
    if not station:
        errors["station"] = _("警察署名を入力してください。")
    if handed_on is None:
        errors["handed_on"] = _("提出日を入力してください。")
    elif handed_on > timezone.localdate():
        errors["handed_on"] = _("提出日が未来になっています。")
    try:
        wanted = sorted({int(pk) for pk in evidence_ids or ()})
    except (TypeError, ValueError):
        wanted = []
        errors["evidence_ids"] = _("提出した証拠の指定に誤りがあります。")
    if not wanted and "evidence_ids" not in errors:
        errors["evidence_ids"] = _("提出した証拠を1件以上選んでください。")
    if errors:
        raise ValidationError(errors)
    evidence = list(selectors.evidence_of_case(user=actor, case=case).filter(pk__in=wanted))
    if len(evidence) != len(wanted):
        raise ValidationError({"evidence_ids": _("この事案の証拠ではないものが選ばれています。")})
    gone = [piece for piece in evidence if piece.deleted_at is not None or piece.stored_file.is_purged]
    if gone:
        raise ValidationError(
            {
                "evidence_ids": _("削除済みの証拠は提出できません: {names}").format(
                    names="、".join(piece.original_name for piece in gone)
                )
            }
        )
    with transaction.atomic():
        handover = Handover.objects.create(
            case=case,
            officer_name=officer,
            officer_rank=officer_rank,
            station=station,
            reference=reference,
            handed_on=handed_on,
            note=note,
            recorded_by=actor,
        )
        handover.evidence.set(evidence)
        detail = {
            "handover": handover.pk,
            "station": station,
            "officer": handover.officer_label,
            "reference": reference,
            "handed_on": handed_on.isoformat(),
        }
        for piece in evidence:
            custody_record(
                actor=actor, evidence=piece, kind=CustodyKind.HANDED_OVER, purpose=_("警察への提出"), detail=detail
            )
        audit_record(
            actor=actor,
            action="evidence.case.handed_over",
            obj=case,
            after={**detail, "files": [piece.pk for piece in evidence], "note": note[:200]},
        )
        step = current_policy().case_step(HANDOVER_STEP)
        if step is not None and not case.is_closed:
            today = timezone.localdate()
            occurred_at = (
                timezone.now()
                if handed_on == today
                else timezone.make_aware(dt.datetime.combine(handed_on, dt.time(12, 0)))
            )
            names = "、".join(f"{index}. {piece.original_name}" for index, piece in enumerate(evidence, start=1))
            case_record_step(
                actor=actor,
                case=case,
                step=HANDOVER_STEP,
                occurred_at=occurred_at,
                note=_("証拠 {count} 件を提出: {names}").format(count=len(evidence), names=names)[:1000],
                details={
                    key: value
                    for key, value in (
                        ("station", station),
                        ("officer", handover.officer_label),
                        ("reference", reference),
                    )
                    if key in step.details
                },
            )
    return handover


# The pack's case step for handing evidence to the police (its timeline entry).
HANDOVER_STEP = "evidence_to_police"


# storage stream (issue 14): legal hold (保存・削除停止) — retention deletes nothing held.
def evidence_hold_set(*, actor, evidence: Evidence, ground: str, reason: str) -> Evidence:
    """Stop retention from deleting ``evidence`` (訴訟・告訴・開示請求 pending): the
    department's supervisors and managers, and the specialist section, with a reason."""
    if not permissions.may_manage(actor, evidence):
        raise PermissionDenied(_("この証拠の保存（削除停止）を設定する権限がありません。"))
    reason = clean_text(reason, multiline=False).strip()
    if ground not in HoldGround.values:
        raise ValidationError({"ground": _("保存（削除停止）の根拠を選んでください。")})
    if not reason:
        raise ValidationError({"reason": _("保存（削除停止）の理由を入力してください。")})
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if evidence.deleted_at is not None:
            raise ValidationError(_("この証拠は既に削除されています。"))
        if evidence.legal_hold:
            raise ValidationError(_("この証拠は既に保存（削除停止）中です。"))
        evidence.legal_hold, evidence.legal_hold_ground = True, ground
        evidence.legal_hold_reason, evidence.legal_hold_at = reason[:200], timezone.now()
        evidence.save(update_fields=["legal_hold", "legal_hold_ground", "legal_hold_reason", "legal_hold_at"])
        detail = {"ground": ground, "reason": reason[:200]}
        custody_record(actor=actor, evidence=evidence, kind=CustodyKind.HOLD_SET, purpose=reason, detail=detail)
        audit_record(actor=actor, action="evidence.evidence.hold_set", obj=evidence, after=detail)
    return evidence


def evidence_hold_release(*, actor, evidence: Evidence, reason: str) -> Evidence:
    """Let retention apply to ``evidence`` again (the lawsuit ended, the request was answered)."""
    if not permissions.may_manage(actor, evidence):
        raise PermissionDenied(_("この証拠の保存（削除停止）を解除する権限がありません。"))
    reason = clean_text(reason, multiline=False).strip()
    if not reason:
        raise ValidationError({"reason": _("保存（削除停止）を解除する理由を入力してください。")})
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if not evidence.legal_hold:
            raise ValidationError(_("この証拠は保存（削除停止）されていません。"))
        before = {"ground": evidence.legal_hold_ground, "reason": evidence.legal_hold_reason}
        evidence.legal_hold, evidence.legal_hold_ground, evidence.legal_hold_reason = False, "", ""
        evidence.legal_hold_at = None
        evidence.save(update_fields=["legal_hold", "legal_hold_ground", "legal_hold_reason", "legal_hold_at"])
        custody_record(
            actor=actor, evidence=evidence, kind=CustodyKind.HOLD_RELEASED, purpose=reason, detail={"reason": reason}
        )
        audit_record(
            actor=actor,
            action="evidence.evidence.hold_released",
            obj=evidence,
            before=before,
            after={"reason": reason[:200]},
        )
    return evidence
