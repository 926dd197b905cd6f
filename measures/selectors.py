"""Reading measures, narrowed to what the user may see.

The specialist section sees every measure; a department's supervisors and
managers see the measures their department leads (主管課); staff see none
here (the intake banner tells them what applies)."""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts import permissions as base_permissions
from accounts.choices import Role
from mamoru.lib.wareki import format_wareki
from mamoru.policy.loader import current as current_policy
from people.models import Resident
from records.models import Contact

from . import permissions
from .choices import WEEKDAY_NAMES, AppealOutcome, ApprovalDecision, MeasureStatus
from .models import Measure, MeasureAppeal, MeasureApproval, MeasureEvent

# Stricter rungs come later in the pack's ladder; among equals, the later start wins.
ACTIVE_STATUSES = (MeasureStatus.ISSUED,)


def measure_list(*, user) -> QuerySet[Measure]:
    """The specialist section sees every measure; a department's supervisors and
    managers those their department leads; nobody else any."""
    if not permissions.may_view_measures(user):
        return Measure.objects.none()
    measures = Measure.objects.select_related("resident", "lead_department", "drafted_by")
    if base_permissions.is_specialist(user):
        return measures
    if permissions.in_department_audience(user, user.department_id):
        return measures.filter(lead_department_id=user.department_id)
    return Measure.objects.none()


def measure_list_narrowed(
    measures: QuerySet[Measure],
    *,
    kind: str = "",
    department: int | None = None,
    drafted_from: dt.date | None = None,
    drafted_to: dt.date | None = None,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
) -> QuerySet[Measure]:
    """``measures`` (already narrowed to a user) narrowed by the list's filters: the
    rung, the lead department, and the days drafted and issued (Asia/Tokyo, both included)."""
    tz = timezone.get_current_timezone()

    def day_start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tz)

    if kind:
        measures = measures.filter(kind=kind)
    if department:
        measures = measures.filter(lead_department_id=department)
    if drafted_from:
        measures = measures.filter(drafted_at__gte=day_start(drafted_from))
    if drafted_to:
        measures = measures.filter(drafted_at__lt=day_start(drafted_to + dt.timedelta(days=1)))
    if issued_from:
        measures = measures.filter(issued_at__gte=day_start(issued_from))
    if issued_to:
        measures = measures.filter(issued_at__lt=day_start(issued_to + dt.timedelta(days=1)))
    return measures


def measure_get(*, user, pk) -> Measure:
    try:
        return measure_list(user=user).get(pk=pk)
    except (Measure.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("措置が見つかりません。") from exc


def _active(measures: QuerySet[Measure], on: dt.date) -> QuerySet[Measure]:
    return measures.filter(status__in=ACTIVE_STATUSES, starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )


def measure_active_list(*, resident, on: dt.date | None = None) -> list[Measure]:
    """The resident's measures in force on a day (issued, started, not ended,
    not withdrawn), ladder order, strictest first. Two queries (measures with
    their designated staff and counter), for the intake banner."""
    on = on or timezone.localdate()
    measures = list(
        _active(Measure.objects.filter(resident=resident), on)
        .select_related("counter_department")
        .prefetch_related("designated_staff")
    )
    return sorted(measures, key=lambda m: (_rank(m.kind), m.starts_on), reverse=True)


def measure_active_for_residents(
    *, resident_ids, on: dt.date | None = None, with_conditions: bool = False
) -> dict[int, list[Measure]]:
    """The measures in force on a day for each of these residents, strictest
    first, each marked ``restricts`` (from the pack). One query (two more
    with the conditions' staff and counter, for showing the conditions)."""
    on = on or timezone.localdate()
    measures = _active(Measure.objects.filter(resident_id__in=list(resident_ids)), on)
    if with_conditions:
        measures = measures.select_related("counter_department").prefetch_related("designated_staff")
    restricting = set(_restricting_kinds())
    found: dict[int, list[Measure]] = {}
    for measure in sorted(measures, key=lambda m: (_rank(m.kind), m.starts_on), reverse=True):
        measure.restricts = measure.kind in restricting
        found.setdefault(measure.resident_id, []).append(measure)
    return found


def _rank(kind: str) -> int:
    codes = [m.code for m in current_policy().measures]
    return codes.index(kind) if kind in codes else -1


def _restricting_kinds() -> tuple[str, ...]:
    return tuple(m.code for m in current_policy().measures if m.restricts)


def _issued_restrictions(kinds: tuple[str, ...]) -> QuerySet[Measure]:
    """Issued measures of these kinds, whatever their dates."""
    return Measure.objects.filter(kind__in=kinds, status__in=ACTIVE_STATUSES)


def resident_list_flagged() -> QuerySet[Resident]:
    """Residents, each loaded with ``has_issued_restriction``: whether a
    measure that restricts contacts (対応制限) is issued for them. The contact
    forms pick the resident from it, so that checking the new contact against
    a restriction (``measure_restriction_for``) needs no query of its own for
    the residents who have none: most of them."""
    return _resident_list_flagged(_restricting_kinds()).all()


@functools.lru_cache(maxsize=8)
def _resident_list_flagged(kinds: tuple[str, ...]) -> QuerySet[Resident]:
    # Built once per set of kinds (a fifth of a millisecond a form otherwise);
    # never evaluated here: callers get a copy.
    return Resident.objects.annotate(**_restriction_annotation(kinds))


def resident_restriction_annotation() -> dict:
    """``{"has_issued_restriction": expression}`` for a Resident queryset (what
    ``resident_list_flagged`` loads); the same dict while the pack's kinds stay."""
    return _restriction_annotation(_restricting_kinds())


@functools.lru_cache(maxsize=8)
def _restriction_annotation(kinds: tuple[str, ...]) -> dict:
    if not kinds:
        return {"has_issued_restriction": Value(False)}
    return {"has_issued_restriction": Exists(_issued_restrictions(kinds).filter(resident=OuterRef("pk")))}


def resident_ids_restricted(*, resident_ids, on: dt.date | None = None) -> set[int]:
    """Which of these residents a measure that restricts contacts (対応制限) is
    active for on ``on`` (today), in one query (the badges of a resident list)."""
    kinds = _restricting_kinds()
    ids = [pk for pk in resident_ids if pk]
    if not kinds or not ids:
        return set()
    active = _active(_issued_restrictions(kinds).filter(resident_id__in=ids), on or timezone.localdate())
    return set(active.values_list("resident_id", flat=True))


def measure_restriction_for(*, resident, on: dt.date | None = None) -> Measure | None:
    """The strictest active measure that restricts contacts (対応制限), or None.
    Checked on every contact saved for a resident: no query for a resident
    loaded by ``resident_list_flagged`` without one, otherwise one light query
    when none is issued and three when one is found."""
    flagged = getattr(resident, "has_issued_restriction", None)
    if resident is None or flagged is False:
        return None
    kinds = _restricting_kinds()
    if not kinds:
        return None
    issued = _issued_restrictions(kinds).filter(resident=resident)
    if flagged is None and not issued.exists():
        return None
    found = (
        _active(issued, on or timezone.localdate())
        .select_related("counter_department")
        .prefetch_related("designated_staff")
    )
    return max(found, key=lambda m: (_rank(m.kind), m.starts_on), default=None)


def measure_pending_for(*, user) -> list[Measure]:
    """Measures waiting for this user's approval (決裁待ち)."""
    if not permissions.may_view_measures(user):
        return []
    # The approvals of each measure's current round are counted in the same query (the
    # inbox and the home page read one query however many measures wait).
    candidates = (
        measure_list(user=user)
        .filter(status=MeasureStatus.PENDING)
        .annotate(
            approved_in_round=Count(
                "approvals",
                filter=Q(approvals__round=F("round"), approvals__decision=ApprovalDecision.APPROVED),
            )
        )
    )
    waiting = []
    for measure in candidates.order_by("drafted_at", "id"):
        steps = measure_steps(measure)
        step = measure.approved_in_round if measure.approved_in_round < len(steps) else None
        if step is None or measure.drafted_by_id == user.pk:
            continue
        if permissions.holds_step_role(user, measure, steps[step]):
            measure.waiting_step = step
            waiting.append(measure)
    return waiting


# Issued measures whose review date passed are listed this many days after it (nothing marks a
# review done: the measure is then left to run, changed by a new measure, or withdrawn).
REVIEW_OVERDUE_DAYS = 30


def measure_drafts_list(*, user) -> QuerySet[Measure]:
    """What the drafters (the specialist section) have to carry on: drafts, measures sent
    back to be corrected, and measures approved and waiting to be issued; oldest first."""
    if not permissions.may_draft(user):
        return Measure.objects.none()
    return (
        measure_list(user=user)
        .filter(status__in=(MeasureStatus.DRAFT, MeasureStatus.SENT_BACK, MeasureStatus.APPROVED))
        .order_by("updated_at", "id")
    )


def measure_review_due_list(*, user, today: dt.date | None = None) -> list[Measure]:
    """Issued measures whose review date is near (from ``reminder_days_before_review``
    days before it) or passed less than ``REVIEW_OVERDUE_DAYS`` days ago, earliest first:
    for the drafters. One query."""
    if not permissions.may_draft(user):
        return []
    today = today or timezone.localdate()
    candidates = measure_list(user=user).filter(
        status=MeasureStatus.ISSUED,
        review_on__gte=today - dt.timedelta(days=REVIEW_OVERDUE_DAYS),
        review_on__lte=today + dt.timedelta(days=366),
    )
    return [
        measure
        for measure in candidates.order_by("review_on", "id")
        if measure.review_on - dt.timedelta(days=measure.reminder_days_before_review) <= today
    ]


def measure_appeal_open_list(*, user) -> QuerySet[MeasureAppeal]:
    """Appeals (不服の申出) not yet decided, oldest first: for the drafters, who decide them."""
    if not permissions.may_draft(user):
        return MeasureAppeal.objects.none()
    return (
        MeasureAppeal.objects.filter(outcome=AppealOutcome.PENDING, measure__in=measure_list(user=user))
        .select_related("measure", "measure__resident")
        .order_by("received_on", "id")
    )


def measure_timeline(*, user, resident) -> tuple[list[Measure], list[MeasureEvent]]:
    """The resident's measures the user may see, and all their events in date
    order. One query when there are none (most residents), two otherwise."""
    measures = list(measure_list(user=user).filter(resident=resident))
    if not measures:
        return [], []
    by_pk = {measure.pk: measure for measure in measures}
    events = list(MeasureEvent.objects.filter(measure__in=by_pk).select_related("actor").order_by("at", "id"))
    for event in events:
        event.measure = by_pk[event.measure_id]
    return measures, events


def measure_with_details(measure: Measure) -> Measure:
    """The measure with what its page shows loaded."""
    return (
        Measure.objects.select_related(
            "resident", "lead_department", "counter_department", "drafted_by", "issued_by", "withdrawn_by", "letter"
        )
        .prefetch_related(
            "designated_staff",
            Prefetch("contacts", queryset=_contacts_qs()),
            "approvals__approver",
            "appeals__recorded_by",
            "appeals__decided_by",
        )
        .get(pk=measure.pk)
    )


def _contacts_qs():
    return Contact.objects.select_related("department", "staff").order_by("started_at")


def resident_contacts_for_measure(*, user, resident):
    """The resident's contacts a drafter may link as reasons (all, for the
    specialist section), oldest first."""
    from records.selectors import contact_list

    return (
        contact_list(user=user)
        .filter(resident=resident)
        .select_related("department")
        .prefetch_related("categories")
        .order_by("-started_at")
    )


def measure_linked_contact(*, measure: Measure, pk):
    """One contact linked to the measure (not deleted), loaded for records'
    contact partial; 404 otherwise. Who may read it is the caller's check."""
    try:
        return (
            _contacts_qs()
            .filter(measures=measure, deleted_at__isnull=True)
            .select_related("resident", "created_by")
            .prefetch_related("categories", "other_staff")
            .get(pk=pk)
        )
    except (Contact.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("対応記録が見つかりません。")) from exc


# The approval ladder -------------------------------------------------------------------------


def measure_steps(measure: Measure) -> tuple[str, ...]:
    """The roles whose approval the measure needs, in order (from the pack)."""
    rung = current_policy().measure(measure.kind)
    return rung.approvers if rung is not None else ()


def measure_round_approvals(measure: Measure) -> list[MeasureApproval]:
    """The approvals of the measure's current round, in step order."""
    return list(
        MeasureApproval.objects.filter(
            measure=measure, round=measure.round, decision=ApprovalDecision.APPROVED
        ).order_by("step")
    )


def measure_current_step(measure: Measure) -> int | None:
    """The index of the step awaiting approval, or None when none is."""
    if measure.status != MeasureStatus.PENDING:
        return None
    steps = measure_steps(measure)
    done = len(measure_round_approvals(measure))
    return done if done < len(steps) else None


def step_label(measure: Measure, role: str) -> str:
    """「市民課の管理職」「総務課（専門部署）」: who approves a step."""
    if role == permissions.SPECIALIST_STEP:
        return _("{section}（専門部署）").format(section=current_policy().city.specialist_section)
    return _("{department}の{role}").format(department=measure.lead_department.name, role=str(Role(role).label))


def measure_waits_for(*, user, measure: Measure) -> bool:
    """Whether the measure waits for this user's decision now."""
    step = measure_current_step(measure)
    role = measure_steps(measure)[step] if step is not None else None
    return permissions.may_approve_step(user, measure, step=step, role=role)


def specialist_section_users():
    """The active members of the specialist section (for the review reminders)."""
    from accounts.models import User

    return User.objects.filter(role=Role.SPECIALIST, is_active=True)


# The letter ----------------------------------------------------------------------------------


FACT_CHARS = 300  # a drafted fact's words, at most (the drafter shortens or completes them)


def measure_facts_draft(*, contacts) -> str:
    """The letter's 「事実」 drafted from the linked contacts, one a line: the
    day (和暦), the channel and what the resident said or did, as recorded
    (never the contact's internal subject). The drafter reviews it."""
    pack = current_policy()
    lines = []
    for contact in sorted(contacts, key=lambda c: c.started_at):
        day = format_wareki(timezone.localtime(contact.started_at).date())
        words = Truncator(" ".join((contact.words_and_behaviour or "").split())).chars(FACT_CHARS)
        channel = pack.channel_name(contact.channel)
        if words:
            lines.append(_("{day}　{channel}での対応において、{words}").format(day=day, channel=channel, words=words))
        else:
            # no words recorded: the drafter completes the line (the approvers read it, and the 見本)
            lines.append(_("{day}　{channel}での対応").format(day=day, channel=channel))
    return "\n".join(lines)


def measure_letter_context(*, measure: Measure, issued_on: dt.date):
    """What goes into the measure's letter: the facts and requests as the
    drafter wrote them (the facts drafted from the contacts if none were)."""
    from letters.services import LetterContext

    facts = measure.letter_facts or measure_facts_draft(contacts=measure.contacts.filter(deleted_at__isnull=True))
    return LetterContext(
        addressee_name=measure.resident.name,
        addressee_address=measure.resident.address,
        fact_lines=[line for line in facts.splitlines() if line.strip()],
        requests=[line for line in measure.letter_requests.splitlines() if line.strip()],
        measure_name=measure.title,
        reasons=measure.reasons,
        starts_on=measure.starts_on,
        ends_on=measure.ends_on,
        review_on=measure.review_on,
        conditions=measure.conditions_text(),
        issued_on=issued_on,
    )


def measure_has_letter(measure: Measure) -> bool:
    rung = current_policy().measure(measure.kind)
    return bool(rung is not None and rung.letter)


# Applying an active restriction to a contact -------------------------------------------------


def restriction_breaches(
    measure: Measure,
    *,
    department,
    channel: str,
    staff,
    started_at: dt.datetime,
    now: dt.datetime | None = None,
) -> list[str]:
    """Which of the restriction's conditions a contact breaks, each as a
    Japanese sentence that names the condition and what this contact does.
    With ``now`` (a live contact), also what has happened since it started:
    the time limit passed, the allowed hours ended."""
    pack = current_policy()
    local = timezone.localtime(started_at)
    problems = []
    if measure.written_only and channel not in measure.written_channels:
        allowed = "・".join(pack.channel_name(code) for code in measure.written_channels)
        problems.append(
            _("書面でのやり取りに限られています。{channel}での対応は条件の外です（認める方法: {allowed}）。").format(
                channel=pack.channel_name(channel), allowed=allowed
            )
        )
    designated = list(measure.designated_staff.all())
    if designated and getattr(staff, "pk", None) not in {user.pk for user in designated}:
        problems.append(
            _("対応している{name}さんは指定職員ではありません（指定職員: {names}）。").format(
                name=getattr(staff, "display_name", "") or _("職員"),
                names="、".join(user.display_name for user in designated),
            )
        )
    if measure.allowed_weekdays and local.weekday() not in measure.allowed_weekdays:
        problems.append(
            _("{day}曜日は対応する曜日ではありません（{hours}）。").format(
                day=WEEKDAY_NAMES[local.weekday()], hours=measure.hours_text()
            )
        )
    start, until = measure.allowed_from, measure.allowed_until
    if start and until and not (start <= local.time().replace(tzinfo=None) < until):
        problems.append(
            _("開始した{time}は対応時間帯（{start}〜{until}）の外です。").format(
                time=f"{local.hour}:{local.minute:02d}", start=_clock(start), until=_clock(until)
            )
        )
    elif start and until and now is not None and timezone.localtime(now).time().replace(tzinfo=None) >= until:
        problems.append(_("対応時間帯（〜{until}）を過ぎています。").format(until=_clock(until)))
    if measure.counter_department_id and getattr(department, "pk", None) != measure.counter_department_id:
        problems.append(
            _("{here}での対応です。対応する窓口は{department}に限られています。").format(
                here=getattr(department, "name", "") or _("他の課"), department=measure.counter_department.name
            )
        )
    # The clock's minute (shorter in demos and tests: MAMORU_TIMER_SECONDS_PER_MINUTE), as the live clock counts it.
    minute = dt.timedelta(seconds=settings.MAMORU_TIMER_SECONDS_PER_MINUTE)
    if measure.max_minutes and now is not None and now - started_at >= minute * measure.max_minutes:
        problems.append(_("1回の対応時間の上限（{minutes}分）を超えています。").format(minutes=measure.max_minutes))
    return problems


def _clock(value: dt.time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def restriction_violations(*, resident, department, channel: str, staff, started_at: dt.datetime | None) -> list[str]:
    """Why a contact falls outside the resident's active response restriction
    (Japanese sentences); empty when it does not or there is none."""
    if resident is None or started_at is None:
        return []
    measure = measure_restriction_for(resident=resident, on=timezone.localtime(started_at).date())
    if measure is None:
        return []
    return restriction_breaches(measure, department=department, channel=channel, staff=staff, started_at=started_at)


def contact_restriction_breaches(*, contact, restriction: Measure | None = None, now=None) -> list[str]:
    """What the contact breaks of the resident's restriction on its day; for a
    live contact, as of ``now`` (the time limit, the end of the allowed hours)."""
    if contact is None or getattr(contact, "started_at", None) is None or getattr(contact, "resident", None) is None:
        return []
    if restriction is None:
        restriction = measure_restriction_for(
            resident=contact.resident, on=timezone.localtime(contact.started_at).date()
        )
    if restriction is None:
        return []
    live = getattr(contact, "ended_at", True) is None
    return restriction_breaches(
        restriction,
        department=contact.department,
        channel=contact.channel,
        staff=contact.staff,
        started_at=contact.started_at,
        now=(now or timezone.now()) if live else None,
    )
