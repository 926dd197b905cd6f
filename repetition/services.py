"""Repetition (繰り返し): the policy pack's rules counted over each resident's
contacts, and the specialist section's decisions on what they propose.

The evaluation is a system count across every department (not narrowed to a
viewer). A rule that fires opens or updates a flag (要確認); it never decides:
only ``repetition_flag_decide`` by the specialist section makes it stand.

Windows: a rule counted over ``days`` looks at the contacts started in the
``days`` days up to now; a rule for one day (contacts_in_day) looks at single
calendar days, today and yesterday (so that a nightly run after midnight and
calls entered the next morning still count). Soft-deleted contacts never count.
Contacts already covered by a decided flag of the same rule are not counted
again for that rule, so a rule fires again only on new contacts.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from mamoru.policy.loader import current as current_policy
from people.models import Resident
from records.models import Contact

from .choices import Decision, FlagStatus
from .models import RecountRequest, RepetitionDecision, RepetitionFlag

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class CountedContact:
    """What a rule needs of a contact."""

    pk: int
    started_at: dt.datetime
    department_id: int
    channel: str
    duration_seconds: int


@dataclass(frozen=True)
class Count:
    """A rule counted over one window."""

    start: dt.datetime
    end: dt.datetime
    contacts: tuple[int, ...]
    department_count: int
    seconds: int

    @property
    def contact_count(self) -> int:
        return len(self.contacts)

    @property
    def minutes(self) -> int:
        return self.seconds // 60


@dataclass
class EvaluationSummary:
    """What ``repetition_evaluate_all`` found, for the command's report."""

    residents: int = 0
    fired: int = 0
    created: int = 0
    open_flags: int = 0
    pending: int = 0


def _local_day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def rule_windows(rule, now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime, bool]]:
    """The windows a rule is counted over: (start, end, calendar_day). A
    trailing window holds start < started_at <= end; a calendar day holds
    start <= started_at < end. Newest first."""
    if rule.kind == "contacts_in_day":
        today = timezone.localtime(now).date()
        windows = []
        for day in (today, today - dt.timedelta(days=1)):
            start = _local_day_start(day)
            windows.append((start, _local_day_start(day + dt.timedelta(days=1)), True))
        return windows
    return [(now - dt.timedelta(days=rule.days), now, False)]


def lookback_start(rules, now: dt.datetime) -> dt.datetime:
    """The earliest moment any rule looks at."""
    starts = [start for rule in rules for start, _end, _day in rule_windows(rule, now)]
    return min(starts) if starts else now


def rule_value(rule, count: Count) -> int:
    """The number the rule compares with its threshold."""
    if rule.kind == "departments_in_days":
        return count.department_count
    if rule.kind == "minutes_in_days":
        return count.minutes
    return count.contact_count


def count_window(rule, rows: list[CountedContact], start, end, calendar_day: bool, *, now=None) -> Count:
    """Count the rows of one window that the rule looks at (its channels)."""
    chosen = [
        row
        for row in rows
        if (not rule.channels or row.channel in rule.channels)
        and (start <= row.started_at < end if calendar_day else start < row.started_at <= end)
        and (now is None or row.started_at <= now)
    ]
    return Count(
        start=start,
        end=min(end, now) if now is not None else end,
        contacts=tuple(row.pk for row in chosen),
        department_count=len({row.department_id for row in chosen}),
        seconds=sum(row.duration_seconds for row in chosen),
    )


def rule_count(rule, rows: list[CountedContact], now: dt.datetime) -> Count | None:
    """The newest window in which the rule fires, or None."""
    for start, end, calendar_day in rule_windows(rule, now):
        count = count_window(rule, rows, start, end, calendar_day, now=now)
        if rule_value(rule, count) >= rule.threshold:
            return count
    return None


def _rows(queryset) -> list[CountedContact]:
    return [
        CountedContact(pk, started_at, department_id, channel, duration or 0)
        for pk, started_at, department_id, channel, duration in queryset.values_list(
            "pk", "started_at", "department_id", "channel", "duration_seconds"
        )
    ]


def _system_audit(action: str, flag: RepetitionFlag, *, before=None, after=None) -> None:
    audit_record(actor=None, actor_name=SYSTEM_ACTOR, action=action, obj=flag, before=before, after=after)


def _flag_facts(flag: RepetitionFlag) -> dict:
    return _facts(flag, flag.contacts.values_list("pk", flat=True) if flag.pk else [])


COUNT_FIELDS = (
    "rule_name",
    "rule_description",
    "window_start",
    "window_end",
    "contact_count",
    "department_count",
    "minutes",
)


def _facts(flag: RepetitionFlag, contact_ids) -> dict:
    """What the audit log keeps of a flag, with its contacts' ids."""
    return {
        "rule": flag.rule_code,
        "contact_count": flag.contact_count,
        "department_count": flag.department_count,
        "minutes": flag.minutes,
        "contacts": sorted(contact_ids),
    }


def _set_contacts(flag: RepetitionFlag, previous: set[int], contacts: set[int]) -> None:
    """Write the difference between a flag's contacts and the new ones: one
    insert and at most one delete, instead of reading them again."""
    through = RepetitionFlag.contacts.through
    added, removed = contacts - previous, previous - contacts
    if added:
        through.objects.bulk_create(
            [through(repetitionflag_id=flag.pk, contact_id=pk) for pk in sorted(added)], ignore_conflicts=True
        )
    if removed:
        through.objects.filter(repetitionflag_id=flag.pk, contact_id__in=removed).delete()


def _apply_count(flag: RepetitionFlag, rule, count: Count, now) -> None:
    flag.rule_name = rule.name[:200]
    flag.rule_description = rule.describe()[:200]
    flag.window_start = count.start
    flag.window_end = count.end
    flag.contact_count = count.contact_count
    flag.department_count = count.department_count
    flag.minutes = count.minutes
    flag.last_evaluated_at = now


@transaction.atomic
def repetition_evaluate(*, resident, now: dt.datetime | None = None) -> list[RepetitionFlag]:
    """Count the pack's rules over the resident's contacts and open or update
    the flags they propose. Returns the open flags that fired now.

    A few queries per resident: the resident row (locked, so that two
    evaluations of one resident run one after the other), the contacts of the
    longest window, the contacts already decided on, and the open flags; then
    writes only for the rules that fire."""
    now = now or timezone.now()
    rules = current_policy().repetition_rules
    if not rules:
        return []
    locked = Resident.objects.select_for_update().filter(pk=resident.pk).order_by().values_list("pk", flat=True)
    if not list(locked):
        return []
    contacts = Contact.objects.filter(
        resident_id=resident.pk,
        deleted_at__isnull=True,
        started_at__gte=lookback_start(rules, now),
        started_at__lte=now,
    )
    rows = _rows(contacts)
    # One read for the contacts of every flag of the resident: those decided on
    # are not counted again; those of open flags are compared with the new count.
    reviewed: dict[str, set[int]] = {}
    open_contacts: dict[int, set[int]] = {}
    for code, status, flag_id, contact_id in RepetitionFlag.contacts.through.objects.filter(
        repetitionflag__resident_id=resident.pk
    ).values_list("repetitionflag__rule_code", "repetitionflag__status", "repetitionflag_id", "contact_id"):
        if status == FlagStatus.OPEN:
            open_contacts.setdefault(flag_id, set()).add(contact_id)
        else:
            reviewed.setdefault(code, set()).add(contact_id)
    open_flags = {
        flag.rule_code: flag for flag in RepetitionFlag.objects.filter(resident_id=resident.pk, status=FlagStatus.OPEN)
    }

    fired = []
    for rule in rules:
        done = reviewed.get(rule.code, set())
        count = rule_count(rule, [row for row in rows if row.pk not in done], now)
        flag = open_flags.pop(rule.code, None)
        if count is None:
            if flag is not None:
                _recheck_open(flag, rule, now)
            continue
        if flag is None:
            flag = RepetitionFlag(resident_id=resident.pk, rule_code=rule.code, detected_at=now)
            _apply_count(flag, rule, count, now)
            flag.save()
            _set_contacts(flag, set(), set(count.contacts))
            _system_audit("repetition.flag.detected", flag, after=_facts(flag, count.contacts))
        else:
            previous = open_contacts.get(flag.pk, set())
            before = _facts(flag, previous)
            _apply_count(flag, rule, count, now)
            flag.save(update_fields=[*COUNT_FIELDS, "last_evaluated_at"])
            if previous != set(count.contacts):
                _set_contacts(flag, previous, set(count.contacts))
                _system_audit("repetition.flag.updated", flag, before=before, after=_facts(flag, count.contacts))
        fired.append(flag)
    # Open flags of rules no longer in the pack stay for a person to decide.
    if open_flags:
        RepetitionFlag.objects.filter(pk__in=[f.pk for f in open_flags.values()]).update(last_evaluated_at=now)
    return fired


def _recheck_open(flag: RepetitionFlag, rule, now) -> None:
    """An open flag whose rule does not fire now stays for a person to decide,
    unless its own contacts no longer meet the rule because some were deleted
    (entered by mistake): then the proposal is withdrawn, with an audit entry."""
    rows = _rows(flag.contacts.filter(deleted_at__isnull=True))
    if len(rows) == flag.contact_count:
        RepetitionFlag.objects.filter(pk=flag.pk).update(last_evaluated_at=now)
        return
    before = _flag_facts(flag)
    end = flag.window_end
    count = count_window(rule, rows, flag.window_start, end + dt.timedelta(microseconds=1), calendar_day=True)
    if rule_value(rule, count) >= rule.threshold:
        _apply_count(flag, rule, count, now)
        flag.window_end = end
        flag.save()
        flag.contacts.set(count.contacts)
        _system_audit("repetition.flag.updated", flag, before=before, after=_flag_facts(flag))
        return
    _system_audit("repetition.flag.withdrawn", flag, before=before)
    flag.delete()


def repetition_evaluate_all(*, now: dt.datetime | None = None) -> EvaluationSummary:
    """Evaluate every resident with a contact in the longest window (the
    nightly run), after the residents still waiting to be counted again (whose
    contacts may have left the window). Each resident in their own transaction."""
    now = now or timezone.now()
    summary = EvaluationSummary(pending=repetition_recount_pending(limit=None))
    rules = current_policy().repetition_rules
    if rules:
        since = lookback_start(rules, now)
        resident_ids = (
            Contact.objects.filter(
                resident__isnull=False, deleted_at__isnull=True, started_at__gte=since, started_at__lte=now
            )
            .values_list("resident_id", flat=True)
            .distinct()
            .order_by("resident_id")
        )
        for resident in Resident.objects.filter(pk__in=list(resident_ids)).only("pk"):
            before = set(
                RepetitionFlag.objects.filter(resident=resident, status=FlagStatus.OPEN).values_list("pk", flat=True)
            )
            flags = repetition_evaluate(resident=resident, now=now)
            summary.residents += 1
            summary.fired += len(flags)
            summary.created += sum(1 for flag in flags if flag.pk not in before)
    summary.open_flags = RepetitionFlag.objects.filter(status=FlagStatus.OPEN).count()
    return summary


def repetition_evaluate_later(*, resident_id: int | None) -> None:
    """Ask for the resident's rules to be counted again (called by the contact
    services). One upsert in the caller's transaction, so the request is kept
    exactly when the contact is; the count itself runs outside the request
    (``repetition_recount_pending``), so that saving a contact stays fast
    however many flags the resident has."""
    if not resident_id:
        return
    RecountRequest.objects.bulk_create(
        [RecountRequest(resident_id=resident_id, token=uuid.uuid4(), requested_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["resident_id"],
        update_fields=["token"],
    )


RECOUNT_STEP = 10


def repetition_recount_step() -> int:
    """One short pass of the background recount (``mamoru.background``): a few
    residents at a time, so the thread that also serves the pages and the alerts
    is never held for a long batch (a pass of 200 residents held it for seconds);
    the runner comes back at once while residents are counted."""
    return repetition_recount_pending(limit=RECOUNT_STEP)


def repetition_recount_pending(*, limit: int | None = 200, resident_id: int | None = None) -> int:
    """Count the rules again for the residents waiting for it (oldest first),
    or only for ``resident_id``. Returns how many were counted.

    Each resident is counted and taken off the queue in one transaction; the
    request is removed only if no contact was saved for the resident in the
    meantime (its token is unchanged), otherwise it stays for the next pass. A
    failure is logged and leaves the request for the next pass."""
    pending = RecountRequest.objects.order_by("requested_at", "pk")
    if resident_id is not None:
        pending = pending.filter(resident_id=resident_id)
    if limit is not None:
        pending = pending[:limit]
    counted = 0
    for request_resident_id, token in list(pending.values_list("resident_id", "token")):
        try:
            with transaction.atomic():
                resident = Resident.objects.filter(pk=request_resident_id).only("pk").first()
                if resident is not None:
                    repetition_evaluate(resident=resident)
                RecountRequest.objects.filter(resident_id=request_resident_id, token=token).delete()
        except Exception:
            logger.exception("repetition recount failed for resident %s", request_resident_id)
            continue
        counted += 1
    return counted


@transaction.atomic
def repetition_flag_decide(*, actor, flag: RepetitionFlag, decision: str, reason: str) -> RepetitionFlag:
    """The specialist section decides whether a flag stands (繰り返しに該当) or
    not (該当しない), with a written reason. A later decision may change it;
    every decision is kept."""
    if actor is None or not actor.is_specialist:
        raise PermissionDenied(_("繰り返しに該当するかを判断できるのは専門部署のみです。"))
    if decision not in Decision.values:
        raise ValidationError({"decision": _("「繰り返しに該当」か「該当しない」を選んでください。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("判断の理由を入力してください。")})
    flag = RepetitionFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.status == decision:
        raise ValidationError(
            {"decision": _("既に「{status}」と判断されています。").format(status=flag.get_status_display())}
        )
    before = {"status": flag.status, "reason": flag.decision_reason}
    now = timezone.now()
    flag.status = decision
    flag.decided_by = actor
    flag.decided_at = now
    flag.decision_reason = reason
    flag.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    RepetitionDecision.objects.create(flag=flag, decision=decision, reason=reason, decided_by=actor, decided_at=now)
    audit_record(
        actor=actor,
        action=f"repetition.flag.{decision}",
        obj=flag,
        before=before,
        after={"status": decision, "reason": reason},
    )
    return flag


def repetition_flags_before_merge(*, source, target) -> int:
    """Make way for a merge of two residents' records (名寄せ).

    An open flag is only a proposal computed from the contacts; when both
    residents have one for the same rule, the source's is withdrawn (audited)
    and the evaluation after the merge proposes again from the contacts of
    both. Decided flags are never touched: they move with the merge."""
    target_rules = set(
        RepetitionFlag.objects.filter(resident=target, status=FlagStatus.OPEN).values_list("rule_code", flat=True)
    )
    withdrawn = 0
    for flag in RepetitionFlag.objects.filter(resident=source, status=FlagStatus.OPEN, rule_code__in=target_rules):
        _system_audit("repetition.flag.withdrawn", flag, before=_flag_facts(flag))
        flag.delete()
        withdrawn += 1
    return withdrawn
