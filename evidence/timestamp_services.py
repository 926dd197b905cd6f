"""Time-stamp tokens and the integrity check (timestamps stream): keyword-only services,
each change in one transaction with its audit entry and custody events.

A token is asked for right after an upload commits (``timestamp_after_upload``, with
``MAMORU_TSA_TIMEOUT``); the TSA being down or refusing never loses the upload: the
failure is a ``failed`` row (「未取得」 on the evidence page) and
``python -m mamoru evidence-timestamp --missing`` asks again. A background worker may
call ``timestamp_after_upload`` instead of the request thread: it takes only an id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record

from . import services, storage, timestamps
from .choices import CustodyKind, TokenStatus
from .models import Evidence, StoredFile, TimeStampToken

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Stamped:
    stored_file: StoredFile
    token: TimeStampToken
    error: str  # "" when granted


def _live_evidence(stored_file: StoredFile):
    return Evidence.objects.filter(stored_file=stored_file, deleted_at__isnull=True).order_by("id")


def stored_file_timestamp(*, actor, stored_file: StoredFile) -> Stamped:
    """Ask the configured TSA for a token over ``stored_file``'s SHA-256 and keep it (a
    custody event 「タイムスタンプ付与」 on each piece of evidence with these bytes), or keep
    the failure to retry later. Never raises for the TSA's sake."""
    url = settings.MAMORU_TSA_URL
    try:
        granted, error = timestamps.request_token(sha256=stored_file.sha256), ""
    except timestamps.TsaError as problem:
        granted, error = None, str(problem)[:500]
    now = timezone.now()
    with transaction.atomic():
        pending = (
            TimeStampToken.objects.select_for_update()
            .filter(stored_file=stored_file, status=TokenStatus.FAILED)
            .first()
        )
        if granted is None:
            token = None
            if pending is None:
                try:
                    with transaction.atomic():
                        token = TimeStampToken.objects.create(
                            stored_file=stored_file,
                            status=TokenStatus.FAILED,
                            tsa_url=url[:500],
                            requested_at=now,
                            error=error,
                        )
                except IntegrityError:  # another upload of these bytes recorded its failure meanwhile
                    pending = TimeStampToken.objects.select_for_update().get(
                        stored_file=stored_file, status=TokenStatus.FAILED
                    )
            if token is None:
                pending.attempts += 1
                pending.requested_at, pending.error, pending.tsa_url = now, error, url[:500]
                pending.save(update_fields=["attempts", "requested_at", "error", "tsa_url"])
                token = pending
            audit_record(
                actor=actor,
                action="evidence.timestamp.failed",
                obj=stored_file,
                after={"tsa": url, "error": error, "attempts": token.attempts},
            )
            return Stamped(stored_file=stored_file, token=token, error=error)
        token = pending or TimeStampToken(stored_file=stored_file, attempts=0)
        token.status, token.tsa_url, token.requested_at, token.error = TokenStatus.GRANTED, url[:500], now, ""
        token.attempts += 1
        token.gen_time, token.serial = granted.gen_time, granted.serial
        token.policy_oid, token.tsa_name, token.response = granted.policy_oid, granted.tsa_name, granted.response
        token.save()
        detail = {
            "sha256": stored_file.sha256,
            "tsa": url,
            "gen_time": granted.gen_time.isoformat(),
            "serial": granted.serial,
            "token": token.pk,
        }
        for evidence in _live_evidence(stored_file):
            services.custody_record(actor=actor, evidence=evidence, kind=CustodyKind.TIMESTAMPED, detail=detail)
            audit_record(actor=actor, action="evidence.timestamp.granted", obj=evidence, after=detail)
    return Stamped(stored_file=stored_file, token=token, error="")


def timestamp_after_upload(*, stored_file_id: int) -> Stamped | None:
    """After an upload commits: a token for the file unless it has one (or no TSA is set)."""
    if not timestamps.configured():
        return None
    stored_file = StoredFile.objects.filter(pk=stored_file_id, purged_at__isnull=True).first()
    if stored_file is None or stored_file.timestamps.filter(status=TokenStatus.GRANTED).exists():
        return None
    return stored_file_timestamp(actor=None, stored_file=stored_file)


def files_to_timestamp(*, missing: bool, evidence_id: int | None = None):
    """The stored files ``evidence-timestamp`` asks tokens for: those with live evidence,
    not purged; with ``missing`` only those without a granted token."""
    files = StoredFile.objects.filter(purged_at__isnull=True, evidence__deleted_at__isnull=True).distinct()
    if evidence_id is not None:
        files = files.filter(evidence__pk=evidence_id)
    if missing:
        files = files.exclude(timestamps__status=TokenStatus.GRANTED)
    return files.order_by("pk")


@dataclass
class Checked:
    """The integrity check of one stored file."""

    stored_file: StoredFile
    problems: list[str] = field(default_factory=list)
    tokens_ok: int = 0
    untimestamped: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _rehash(name: str) -> str:
    digest = hashlib.sha256()
    with storage.open_stored(name) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_file_check(*, stored_file: StoredFile) -> Checked:
    """Read the file back from storage in chunks, hash it, and check its tokens."""
    checked = Checked(stored_file=stored_file)
    try:
        actual = _rehash(stored_file.storage_name)
    except (FileNotFoundError, OSError) as error:
        checked.problems.append(f"保存先からファイルを読み出せません（{error.__class__.__name__}）。")
    else:
        if actual != stored_file.sha256:
            checked.problems.append(f"内容が登録時と一致しません（現在の SHA-256: {actual}）。")
    tokens = [t for t in stored_file.timestamps.all() if t.status == TokenStatus.GRANTED]
    checked.untimestamped = not tokens
    for token in tokens:
        problem = timestamps.check_token(token.response, sha256=stored_file.sha256)
        if problem:
            checked.problems.append(f"タイムスタンプ（シリアル {token.serial}）: {problem}")
        else:
            checked.tokens_ok += 1
    return checked


def evidence_verify(*, actor, evidence_id: int | None = None) -> list[Checked]:
    """The integrity check (``evidence-verify``): every stored file that is still evidence
    (or only evidence ``evidence_id``'s), re-read and re-hashed, its tokens checked. A file
    that no longer matches is a custody event 「完全性の不一致を検出」 on each piece of
    evidence with it; the run is one audit entry."""
    files = StoredFile.objects.filter(purged_at__isnull=True, evidence__deleted_at__isnull=True)
    if evidence_id is not None:
        files = files.filter(evidence__pk=evidence_id)
    results = [
        stored_file_check(stored_file=stored_file)
        for stored_file in files.distinct().order_by("pk").prefetch_related("timestamps")
    ]
    failed = [result for result in results if not result.ok]
    with transaction.atomic():
        for result in failed:
            for evidence in _live_evidence(result.stored_file):
                services.custody_record(
                    actor=actor,
                    evidence=evidence,
                    kind=CustodyKind.INTEGRITY_FAILED,
                    detail={"sha256": result.stored_file.sha256, "problems": result.problems},
                )
        audit_record(
            actor=actor,
            action="evidence.integrity.checked",
            after={
                "files": len(results),
                "failed": [result.stored_file.sha256 for result in failed],
                "evidence": evidence_id,
            },
        )
    return results


def timestamp_token_download(*, actor, evidence: Evidence, token: TimeStampToken) -> bytes:
    """The token's .tsr for ``actor`` (who may see ``evidence``; checked by the caller's
    selector): a custody event and an audit entry, then the bytes."""
    with transaction.atomic():
        detail = {"token": token.pk, "serial": token.serial, "sha256": evidence.stored_file.sha256}
        services.custody_record(actor=actor, evidence=evidence, kind=CustodyKind.TOKEN_DOWNLOADED, detail=detail)
        audit_record(actor=actor, action="evidence.timestamp.downloaded", obj=evidence, after=detail)
    return bytes(token.response)
