"""Retention (保存期間): when a piece of evidence may be deleted, and the daily run
(``python -m mamoru evidence-retention``) that deletes what expired.

The periods come from the policy pack's ``[evidence_retention]``. Deleting marks
the ``Evidence`` row deleted with the reason and writes its custody event and
audit entry (both kept for good); the bytes go from storage once no live piece of
evidence needs them (``StoredFile.purged_at``). A legal hold stops all of it. The
run also removes objects under ``sha256/`` that no stored file names (an upload
cut off after its bytes were written), once they are older than a grace period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Case
from mamoru.policy.loader import current as current_policy
from measures.choices import MeasureStatus
from measures.models import Measure

from . import storage
from .choices import CustodyKind, EvidenceKind
from .models import Evidence, StoredFile
from .services import custody_record

ORPHAN_GRACE = dt.timedelta(hours=24)
MEASURE_IN_PROGRESS = {MeasureStatus.DRAFT, MeasureStatus.PENDING, MeasureStatus.APPROVED, MeasureStatus.SENT_BACK}


@dataclass(frozen=True)
class Retention:
    """Until when ``evidence`` is kept (``None``: not to be deleted now) and why, in Japanese."""

    until: dt.datetime | None
    basis: str

    def expired(self, now: dt.datetime) -> bool:
        return self.until is not None and self.until <= now


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _measure_end(measure: Measure, today: dt.date) -> dt.datetime | None:
    """When a measure ended; ``None`` while it is in progress or in force."""
    if measure.status in MEASURE_IN_PROGRESS:
        return None
    if measure.status == MeasureStatus.WITHDRAWN:
        return measure.withdrawn_at or measure.updated_at
    if measure.ends_on is not None and measure.ends_on < today:
        return _end_of(measure.ends_on)
    if measure.status == MeasureStatus.ENDED:
        return measure.updated_at
    return None  # issued, no end date or ending later


def retention_of(evidence: Evidence, *, now: dt.datetime | None = None, rules=None) -> Retention:
    now = now or timezone.now()
    rules = rules if rules is not None else current_policy().evidence_retention
    if rules is None:
        return Retention(None, _("ポリシーパックに保存期間（[evidence_retention]）がないため自動では削除しません"))
    kind_label = EvidenceKind(evidence.kind).label if evidence.kind in EvidenceKind.values else evidence.kind
    period = rules.period_for(evidence.kind)
    if period is None:
        return Retention(None, _("{kind}の保存期間は無期限です").format(kind=kind_label))
    until = period.after(evidence.uploaded_at)
    basis = _("{kind}の保存期間（登録から{period}）").format(kind=kind_label, period=period.label)
    cases = list(_cases_of(evidence))
    measures = list(_measures_of(evidence, cases))
    if not cases and not measures:
        return Retention(until, basis)
    open_case = next((case for case in cases if case.closed_at is None), None)
    if open_case is not None:
        return Retention(None, _("事案（{case}）が終結していないため保存します").format(case=open_case))
    today = timezone.localdate(now)
    ends = []
    for measure in measures:
        end = _measure_end(measure, today)
        if end is None:
            return Retention(None, _("住民等への措置（{title}）が続いているため保存します").format(title=measure.title))
        ends.append(end)
    closed = max([case.closed_at for case in cases] + ends)
    if rules.after_case_closed is None:
        return Retention(None, _("事案に関係する証拠の保存期間は無期限です"))
    after_case = rules.after_case_closed.after(closed)
    if after_case > until:
        until = after_case
        basis = _("事案・措置の終了（{date}）から{period}").format(
            date=timezone.localtime(closed).strftime("%Y-%m-%d"), period=rules.after_case_closed.label
        )
    return Retention(until, basis)


def _cases_of(evidence: Evidence):
    query = Q(pk=evidence.case_id) if evidence.case_id else Q(pk__in=[])
    if evidence.contact_id:
        query |= Q(contacts=evidence.contact_id)
    return Case.objects.filter(query).distinct()


def _measures_of(evidence: Evidence, cases):
    residents = {case.resident_id for case in cases if case.resident_id}
    query = Q(resident_id__in=residents)
    if evidence.contact_id:
        query |= Q(contacts=evidence.contact_id)
    return Measure.objects.filter(query).distinct()


def evidence_expire(*, actor, evidence: Evidence, reason: str) -> Evidence | None:
    """Mark ``evidence`` deleted (retention) with its custody event and audit entry;
    ``None`` when it is held or already deleted by the time its row is locked."""
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if evidence.legal_hold or evidence.deleted_at is not None:
            return None
        evidence.deleted_at, evidence.deletion_reason = timezone.now(), reason[:200]
        evidence.save(update_fields=["deleted_at", "deletion_reason"])
        detail = {"reason": reason[:200], "retention": True, "sha256": evidence.stored_file.sha256}
        custody_record(actor=actor, evidence=evidence, kind=CustodyKind.DELETED, purpose=reason, detail=detail)
        audit_record(actor=actor, action="evidence.evidence.deleted", obj=evidence, after=detail, actor_name="system")
    return evidence


def stored_file_purge(*, actor, stored_file: StoredFile) -> bool:
    """Delete the bytes once no live piece of evidence names them (under the row's lock,
    so a new upload of the same bytes waits and writes them again); True when purged."""
    with transaction.atomic():
        stored = StoredFile.objects.select_for_update().get(pk=stored_file.pk)
        if stored.purged_at is not None or stored.evidence.filter(deleted_at__isnull=True).exists():
            return False
        storage.purge(stored.storage_name)
        stored.purged_at = timezone.now()
        stored.save(update_fields=["purged_at"])
        audit_record(
            actor=actor,
            action="evidence.stored_file.purged",
            obj=stored,
            after={"sha256": stored.sha256, "size": stored.size},
            actor_name="system",
        )
    return True


@dataclass
class RetentionReport:
    dry_run: bool
    deleted: list[tuple[Evidence, Retention]] = field(default_factory=list)
    held: list[tuple[Evidence, Retention]] = field(default_factory=list)
    purged: list[StoredFile] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)


def retention_run(
    *, actor=None, dry_run: bool = False, now: dt.datetime | None = None, orphan_grace: dt.timedelta = ORPHAN_GRACE
) -> RetentionReport:
    """Delete what expired (or, with ``dry_run``, only list it)."""
    now = now or timezone.now()
    rules = current_policy().evidence_retention
    report = RetentionReport(dry_run=dry_run)
    live = Evidence.objects.filter(deleted_at__isnull=True).select_related("stored_file").order_by("pk")
    for evidence in live.iterator(chunk_size=500):
        retention = retention_of(evidence, now=now, rules=rules)
        if not retention.expired(now):
            continue
        if evidence.legal_hold:
            report.held.append((evidence, retention))
            continue
        reason = _("保存期間の満了: {basis}、期限 {until}").format(
            basis=retention.basis, until=timezone.localtime(retention.until).strftime("%Y-%m-%d")
        )
        if dry_run or evidence_expire(actor=actor, evidence=evidence, reason=reason) is not None:
            report.deleted.append((evidence, retention))
    going = {evidence.stored_file_id for evidence, _retention in report.deleted} if dry_run else set()
    unused = StoredFile.objects.filter(purged_at__isnull=True).exclude(evidence__deleted_at__isnull=True)
    for stored in unused.order_by("pk"):
        if dry_run or stored_file_purge(actor=actor, stored_file=stored):
            report.purged.append(stored)
    if dry_run:  # the files the deletions above would leave unused
        for stored in StoredFile.objects.filter(pk__in=going, purged_at__isnull=True).order_by("pk"):
            others = stored.evidence.filter(deleted_at__isnull=True).exclude(pk__in=[e.pk for e, _r in report.deleted])
            if not others.exists() and stored not in report.purged:
                report.purged.append(stored)
    report.orphans = _orphans(now=now, grace=orphan_grace, remove=not dry_run)
    if not dry_run and (report.deleted or report.purged or report.orphans):
        audit_record(
            actor=actor,
            action="evidence.retention.ran",
            after={
                "deleted": [evidence.pk for evidence, _retention in report.deleted],
                "purged": [stored.sha256 for stored in report.purged],
                "orphans": report.orphans[:100],
                "held": [evidence.pk for evidence, _retention in report.held],
            },
            actor_name="system",
        )
    return report


def _orphans(*, now: dt.datetime, grace: dt.timedelta, remove: bool) -> list[str]:
    """Objects no unpurged stored file names, written before ``now - grace``."""
    named = set(StoredFile.objects.filter(purged_at__isnull=True).values_list("storage_name", flat=True))
    found = []
    for name, modified in storage.stored_names():
        if name in named or modified > now - grace:
            continue
        if remove:
            with transaction.atomic():  # a new upload's row may have come meanwhile
                if StoredFile.objects.filter(storage_name=name, purged_at__isnull=True).exists():
                    continue
                storage.purge(name)
        found.append(name)
    return found
