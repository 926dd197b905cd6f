"""Staff exposure (issue 16): per member of staff, the harassment contacts they
handled (対応職員) or attended (同席職員) over a period, their handling hours and
the longest one, every contact they took part in, and their care follow-ups — for
managers' rotation decisions, never shown to other staff.

Its own page rather than a section of figures: it names people, so it must never
ride along into the dashboard's sections or the reports (public or not); it is
read per person with a link per number, and each read is audited.

Counted like the dashboard: contacts of the scope's departments that started in
the period (city time; one that runs past midnight belongs to the day it began),
deleted ones left out. A member of staff is listed when they belong to one of the
departments now, or took part in one of the contacts counted (someone who moved
or left keeps their history). Follow-ups are those of cases of the departments
whose due date falls in the period. A bounded number of grouped queries, whatever
the number of contacts or staff."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, F, IntegerField, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.selectors import staff_selectable_list
from cases.models import StaffFollowUp
from mamoru.lib.figures import Scope
from records.choices import HarassmentJudgement
from records.figures import contacts_in_scope
from records.models import Contact

YES = HarassmentJudgement.YES

COLUMNS = (
    ("harassment", "カスハラ（計）", "int"),
    ("handled", "うち対応職員", "int"),
    ("attended", "うち同席職員", "int"),
    ("hours", "カスハラの対応時間（時間）", "hours"),
    ("longest", "最長（分）", "minutes"),
    ("contacts", "対応・同席した対応（すべて）", "int"),
    ("follow_ups", "ケア（期限が期間内）", "int"),
    ("overdue", "うち期限切れ（未実施）", "int"),
)


@dataclass
class ExposureRow:
    user_id: int
    name: str
    department: str
    active: bool
    harassment: int = 0
    handled: int = 0
    attended: int = 0
    seconds: int = 0
    longest_seconds: int | None = None
    contacts: int = 0
    follow_ups: int = 0
    overdue: int = 0
    # Number → the list behind it ({} where the reader's contact list cannot filter by this person).
    links: dict[str, str] | None = None

    @property
    def hours(self) -> float:
        return round(self.seconds / 3600, 1)

    @property
    def longest(self) -> float | None:
        return None if self.longest_seconds is None else round(self.longest_seconds / 60, 1)

    def values(self) -> list:
        return [getattr(self, key) for key, _label, _kind in COLUMNS]

    def cells(self) -> list[tuple[object, str, str]]:
        """(value, format, link) of every column, for the page."""
        links = self.links or {}
        return [(getattr(self, key), kind, links.get(key, "")) for key, _label, kind in COLUMNS]


def _handled(contacts) -> dict[int, dict]:
    grouped = (
        contacts.values("staff_id")
        .annotate(
            total=Count("id"),
            yes=Count("id", filter=Q(harassment=YES)),
            seconds=Coalesce(Sum("duration_seconds", filter=Q(harassment=YES)), 0, output_field=IntegerField()),
            longest=Max("duration_seconds", filter=Q(harassment=YES)),
        )
        .order_by()
    )
    return {row["staff_id"]: row for row in grouped}


def _attended(scope: Scope) -> dict[int, dict]:
    """同席: the contact's other staff; a person named both as handler and attendant counts once (handled)."""
    start, end = scope.period.bounds(timezone.get_current_timezone())
    through = Contact.other_staff.through
    grouped = (
        through.objects.filter(
            contact__department_id__in=scope.department_ids,
            contact__started_at__gte=start,
            contact__started_at__lt=end,
            contact__deleted_at__isnull=True,
        )
        .exclude(contact__staff_id=F("user_id"))
        .values("user_id")
        .annotate(
            total=Count("contact_id"),
            yes=Count("contact_id", filter=Q(contact__harassment=YES)),
            seconds=Coalesce(
                Sum("contact__duration_seconds", filter=Q(contact__harassment=YES)), 0, output_field=IntegerField()
            ),
            longest=Max("contact__duration_seconds", filter=Q(contact__harassment=YES)),
        )
        .order_by()
    )
    return {row["user_id"]: row for row in grouped}


def _follow_ups(scope: Scope, today) -> dict[int, dict]:
    grouped = (
        StaffFollowUp.objects.filter(
            case__department_id__in=scope.department_ids,
            due_date__gte=scope.period.start,
            due_date__lte=scope.period.end,
        )
        .values("staff_id")
        .annotate(total=Count("id"), overdue=Count("id", filter=Q(done_at__isnull=True, due_date__lt=today)))
        .order_by()
    )
    return {row["staff_id"]: row for row in grouped}


def _list_link(scope: Scope, **filters) -> str:
    params = {"date_from": scope.period.start.isoformat(), "date_to": scope.period.end.isoformat()}
    if len(scope.department_ids) == 1:
        params["department"] = scope.department_ids[0]
    params.update(filters)
    return f"{reverse('records:contact_list')}?{urlencode(params)}"


def staff_exposure_rows(*, scope: Scope, today=None) -> list[ExposureRow]:
    """One row per member of staff of the scope, the most harassment contacts first.
    ``scope`` comes from ``stats.selectors.stats_scope`` (departments already narrowed);
    the caller checks ``stats.permissions.may_read_staff_exposure``."""
    today = today or timezone.localdate()
    contacts = contacts_in_scope(scope)
    handled = _handled(contacts)
    attended = _attended(scope)
    follow_ups = _follow_ups(scope, today)
    involved = set(handled) | set(attended) | set(follow_ups)
    members = (
        User.objects.filter(Q(pk__in=involved) | Q(is_active=True, department_id__in=scope.department_ids))
        .exclude(role=Role.ADMINISTRATOR)
        .select_related("department")
    )
    reader = scope.user
    linkable = set(staff_selectable_list(user=reader).filter(pk__in=involved).values_list("pk", flat=True))
    care_link = reverse("cases:staff_care")
    rows = []
    for member in members:
        mine, theirs, care = handled.get(member.pk, {}), attended.get(member.pk, {}), follow_ups.get(member.pk, {})
        longest = [v for v in (mine.get("longest"), theirs.get("longest")) if v is not None]
        row = ExposureRow(
            user_id=member.pk,
            name=member.display_name,
            department=member.department.name if member.department else "",
            active=member.is_active,
            handled=mine.get("yes", 0),
            attended=theirs.get("yes", 0),
            seconds=mine.get("seconds", 0) + theirs.get("seconds", 0),
            longest_seconds=max(longest) if longest else None,
            contacts=mine.get("total", 0) + theirs.get("total", 0),
            follow_ups=care.get("total", 0),
            overdue=care.get("overdue", 0),
        )
        row.harassment = row.handled + row.attended
        links = {}
        if member.pk in linkable:
            harassment = _list_link(scope, involved=member.pk, harassment=YES)
            links = {
                "harassment": harassment,
                "handled": _list_link(scope, staff=member.pk, harassment=YES),
                "attended": _list_link(scope, other_staff=member.pk, harassment=YES),
                "hours": harassment,
                "longest": harassment,
                "contacts": _list_link(scope, involved=member.pk),
            }
        if row.follow_ups:
            links.update(follow_ups=care_link, overdue=care_link)
        row.links = links
        rows.append(row)
    sort_orders = {m.pk: (m.department.sort_order if m.department else 10**6) for m in members}
    rows.sort(key=lambda r: (-r.harassment, -r.handled, -r.contacts, sort_orders[r.user_id], r.user_id))
    return rows
