"""Reading cases, always narrowed to the departments the user may see, and the
staff-care figures for managers and the specialist section."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as Conditional
from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.selectors import department_visible_ids
from mamoru.policy.loader import current as current_policy
from mamoru.policy.schema import CaseStep
from records.choices import HarassmentJudgement
from records.models import Contact

from .choices import EventKind
from .models import Case, CaseEvent, StaffFollowUp
from .permissions import may_confirm_cases, may_see_all_follow_ups, may_view_staff_care

STAFF_CARE_DAYS = 90
FOLLOW_UP_SOON_DAYS = 7  # a care follow-up due within a week is on the recorder's home page


def case_list(*, user) -> QuerySet[Case]:
    """Cases the user may see: their own department's; the specialist section
    every department's; the administrator none."""
    return Case.objects.filter(department__in=department_visible_ids(user=user))


def case_list_narrowed(
    cases: QuerySet[Case],
    *,
    case_state: str = "",
    department: int | None = None,
    opened_from: dt.date | None = None,
    opened_to: dt.date | None = None,
    open_on: dt.date | None = None,
) -> QuerySet[Case]:
    """``cases`` (already narrowed to a user) narrowed by the list's filters: the pack
    state, the department, the day reported (Asia/Tokyo, both days included), and
    open at the end of ``open_on`` (reported by then, not closed by then)."""
    tz = timezone.get_current_timezone()

    def day_start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tz)

    if case_state:
        cases = cases.filter(state=case_state)
    if department:
        cases = cases.filter(department_id=department)
    if opened_from:
        cases = cases.filter(opened_at__gte=day_start(opened_from))
    if opened_to:
        cases = cases.filter(opened_at__lt=day_start(opened_to + dt.timedelta(days=1)))
    if open_on:
        end = day_start(open_on + dt.timedelta(days=1))
        cases = cases.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end), opened_at__lt=end)
    return cases


def case_list_for_display(*, user) -> QuerySet[Case]:
    return case_list(user=user).select_related("department", "resident", "handler", "reported_by")


def case_get(*, user, pk) -> Case:
    """One case, or 404 for anything outside the user's scope."""
    try:
        return case_list_for_display(user=user).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("事案が見つからないか、閲覧する権限がありません。") from exc


def case_open_list(*, user) -> QuerySet[Case]:
    """Open cases across the departments the user may see (every department for
    the specialist section): cases nobody handles first, then the ones left
    longest without activity."""
    return (
        case_list_for_display(user=user)
        .filter(closed_at__isnull=True)
        .annotate(
            handled=Conditional(
                When(handler__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("handled", "last_activity_at", "id")
    )


def case_to_confirm_list(*, user) -> QuerySet[Case]:
    """Open cases of the user's department still in the pack's first state (報告: reported,
    waiting for a supervisor to confirm them), oldest first: the home page of the
    department's 上司 and 管理職."""
    if not may_confirm_cases(user):
        return Case.objects.none()
    first_state = current_policy().case_state_codes()[0]
    return (
        case_list_for_display(user=user)
        .filter(closed_at__isnull=True, state=first_state, department_id=user.department_id)
        .order_by("opened_at", "id")
    )


def case_for_contact(*, user, contact) -> Case | None:
    """The case a visible contact belongs to, if any."""
    return case_list(user=user).filter(contacts=contact).order_by("opened_at", "id").first()


def case_next_states(*, case: Case) -> tuple[str | None, str | None]:
    """The state one step forward and one step back (None at either end)."""
    codes = current_policy().case_state_codes()
    if case.state not in codes:
        return codes[0], None
    index = codes.index(case.state)
    forward = codes[index + 1] if index + 1 < len(codes) else None
    back = codes[index - 1] if index > 0 else None
    return forward, back


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case).select_related("actor")


@dataclass
class StepButton:
    step: CaseStep
    next_count: int | None
    suggested: bool


def case_step_buttons(*, case: Case) -> list[StepButton]:
    """The pack's steps with the number the next repetition of each counted
    step would get, and the step suggested next: the last recorded step again
    while it is below its recommended repeats, else the step after it."""
    steps = current_policy().case_steps
    codes = [s.code for s in steps]
    counts: dict[str, int] = {}
    last = None
    for kind in (
        CaseEvent.objects.filter(case=case, kind__in=codes).order_by("occurred_at", "id").values_list("kind", flat=True)
    ):
        counts[kind] = counts.get(kind, 0) + 1
        last = kind
    if last is None:
        suggested = codes[0] if codes else None  # a new case: the pack's first step is the first thing to do
    else:
        step = steps[codes.index(last)]
        if step.counted and step.recommended_repeats and counts[last] < step.recommended_repeats:
            suggested = last
        else:
            suggested = codes[codes.index(last) + 1] if codes.index(last) + 1 < len(codes) else None
    return [
        StepButton(step=s, next_count=counts.get(s.code, 0) + 1 if s.counted else None, suggested=s.code == suggested)
        for s in steps
    ]


def _follow_ups_visible(*, user) -> QuerySet[StaffFollowUp]:
    """Care follow-ups the user may see (``cases.permissions.may_see_follow_up``):
    in the departments they see, all of them for the department's 管理職 and the
    specialist section, else only those they recorded or that are about them."""
    follow_ups = StaffFollowUp.objects.filter(case__department__in=department_visible_ids(user=user))
    if may_see_all_follow_ups(user, user.department_id):  # the specialist section; a 管理職 sees only their own
        return follow_ups
    return follow_ups.filter(Q(recorded_by=user) | Q(staff=user))


def follow_up_list(*, user, case: Case) -> QuerySet[StaffFollowUp]:
    if case.department_id not in department_visible_ids(user=user):
        return StaffFollowUp.objects.none()
    follow_ups = StaffFollowUp.objects.filter(case=case)
    if not may_see_all_follow_ups(user, case.department_id):
        follow_ups = follow_ups.filter(Q(recorded_by=user) | Q(staff=user))
    return follow_ups.select_related("staff", "recorded_by")


def follow_up_due_list(*, user, today: dt.date | None = None, soon_days: int = FOLLOW_UP_SOON_DAYS):
    """Care follow-ups not done that wait for the user, overdue first, then by due date:
    those they recorded due within ``soon_days`` (or overdue); for a 管理職, every overdue
    one of their department as well. The home page's to-do list."""
    if not may_confirm_cases(user):
        return StaffFollowUp.objects.none()
    today = today or timezone.localdate()
    mine = Q(recorded_by=user, due_date__lte=today + dt.timedelta(days=soon_days))
    if may_see_all_follow_ups(user, user.department_id):
        mine |= Q(case__department_id=user.department_id, due_date__lt=today)
    return (
        _follow_ups_visible(user=user)
        .filter(mine, done_at__isnull=True)
        .select_related("case", "staff")
        .order_by("due_date", "id")
    )


def follow_up_get(*, user, pk) -> StaffFollowUp:
    try:
        return _follow_ups_visible(user=user).select_related("case", "staff").get(pk=pk)
    except (StaffFollowUp.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("見つかりません。") from exc


class _Count(Subquery):
    """COUNT(*) of a subquery's rows, as a column (one query for the whole list)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def staff_care_list(*, user, today: dt.date | None = None) -> QuerySet[User]:
    """Active staff of the departments the user may see, each annotated with
    ``harassment_contacts`` (contacts judged harassment in the last 90 days that
    they handled or attended), ``open_follow_ups`` and ``overdue_follow_ups``, and
    ``overdue_case_id``/``overdue_follow_up_id`` (the oldest overdue follow-up).
    Managers see their department; the specialist section every department."""
    if not may_view_staff_care(user):
        return User.objects.none()
    today = today or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=STAFF_CARE_DAYS)
    visible = department_visible_ids(user=user)
    contacts = (
        Contact.objects.filter(
            department__in=visible, deleted_at__isnull=True, harassment=HarassmentJudgement.YES, started_at__gte=since
        )
        .filter(Q(staff=OuterRef("pk")) | Q(other_staff=OuterRef("pk")))
        .values("pk")
        .distinct()
    )
    open_follow_ups = StaffFollowUp.objects.filter(
        staff=OuterRef("pk"), done_at__isnull=True, case__department__in=visible
    ).values("pk")
    return (
        User.objects.filter(is_active=True, department__in=visible)
        .exclude(role=Role.ADMINISTRATOR)
        .select_related("department")
        .annotate(
            harassment_contacts=_Count(contacts),
            open_follow_ups=_Count(open_follow_ups),
            overdue_follow_ups=_Count(open_follow_ups.filter(due_date__lt=today)),
            # The oldest overdue follow-up and its case: where the page's link leads.
            overdue_follow_up_id=Subquery(open_follow_ups.filter(due_date__lt=today).order_by("due_date", "pk")[:1]),
            overdue_case_id=Subquery(
                open_follow_ups.filter(due_date__lt=today).order_by("due_date", "pk").values("case_id")[:1]
            ),
        )
        .order_by("-overdue_follow_ups", "-harassment_contacts", "department__sort_order", "id")
    )


def event_label(kind: str) -> str:
    """The timeline's name for an entry: a pack step's name or a built-in kind."""
    if kind in EventKind.values:
        return str(EventKind(kind).label)
    step = current_policy().case_step(kind)
    return step.name if step else kind
