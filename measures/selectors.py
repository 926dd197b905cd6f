"""Reading measures, narrowed to what the user may see.

The specialist section sees every measure; a department's supervisors and
managers see the measures their department leads (主管課); staff see none
here (the intake banner tells them what applies)."""

from __future__ import annotations

import datetime as dt
import functools

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from accounts.choices import Role
from people.models import Resident

from .choices import MeasureStatus
from .models import Measure, MeasureEvent

# Stricter rungs come later in the pack's ladder; among equals, the later start wins.
ACTIVE_STATUSES = (MeasureStatus.ISSUED,)


def measure_list(*, user) -> QuerySet[Measure]:
    if not (user.is_authenticated and user.handles_records):
        return Measure.objects.none()
    measures = Measure.objects.select_related("resident", "lead_department", "drafted_by")
    if user.is_specialist:
        return measures
    if user.role in (Role.SUPERVISOR, Role.MANAGER) and user.department_id:
        return measures.filter(lead_department_id=user.department_id)
    return Measure.objects.none()


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


def _rank(kind: str) -> int:
    from mamoru.policy.loader import current as current_policy

    codes = [m.code for m in current_policy().measures]
    return codes.index(kind) if kind in codes else -1


def _restricting_kinds() -> tuple[str, ...]:
    from mamoru.policy.loader import current as current_policy

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
    from .services import holds_step_role, measure_current_step, measure_steps

    if not (user.is_authenticated and user.handles_records and user.role != Role.STAFF):
        return []
    candidates = Measure.objects.filter(status=MeasureStatus.PENDING).select_related(
        "resident", "lead_department", "drafted_by"
    )
    if not user.is_specialist:
        candidates = candidates.filter(lead_department_id=user.department_id)
    waiting = []
    for measure in candidates.order_by("drafted_at"):
        step = measure_current_step(measure)
        if step is None or measure.drafted_by_id == user.pk:
            continue
        if holds_step_role(user, measure, measure_steps(measure)[step]):
            waiting.append(measure)
    return waiting


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
    from records.models import Contact

    return Contact.objects.select_related("department", "staff").order_by("started_at")


def resident_contacts_for_measure(*, user, resident):
    """The resident's contacts a drafter may link as reasons (all, for the
    specialist section), oldest first."""
    from records.selectors import contact_list

    return contact_list(user=user).filter(resident=resident).select_related("department").order_by("-started_at")
