"""Reading contacts, always narrowed to the departments the user may see."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.permissions import is_specialist, is_supervisor_or_above
from accounts.selectors import department_visible_ids
from mamoru.lib.japanese import normalize
from mamoru.policy.loader import current as current_policy
from people.selectors import resident_ids_named

from .choices import HarassmentJudgement
from .hooks import contact_search_extra
from .models import Contact, contact_number


@dataclass
class ContactFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    department_id: int | None = None
    channel: str = ""
    category: str = ""
    harassment: str = ""
    staff_id: int | None = None
    # From the staff exposure page (issue 16): attended as 同席職員, and handled or attended.
    other_staff_id: int | None = None
    involved_staff_id: int | None = None
    resident_id: int | None = None
    query: str = ""
    live_only: bool = False
    # From the figures (issue 16): the hour of day and ISO weekday (1 = Monday) the contact
    # started in the city's time zone, and whether it ran past the pack's time limit.
    hour: int | None = None
    weekday: int | None = None
    over_limit: bool = False


def _attended_by(user_id: int):
    """The contacts a member of staff attended as 同席職員 (a subquery: no duplicates)."""
    return Contact.other_staff.through.objects.filter(user_id=user_id).values("contact_id")


def contact_list(*, user, filters: ContactFilter | None = None) -> QuerySet[Contact]:
    """Contacts the user may see, filtered, newest first."""
    contacts = Contact.objects.filter(department__in=department_visible_ids(user=user), deleted_at__isnull=True)
    if filters is None:
        return contacts
    tz = timezone.get_current_timezone()
    if filters.date_from:
        contacts = contacts.filter(started_at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tz))
    if filters.date_to and filters.date_to < dt.date.max:  # the last day Python holds bounds nothing
        next_day = filters.date_to + dt.timedelta(days=1)
        contacts = contacts.filter(started_at__lt=dt.datetime.combine(next_day, dt.time.min, tz))
    if filters.department_id:
        contacts = contacts.filter(department_id=filters.department_id)
    if filters.channel:
        contacts = contacts.filter(channel=filters.channel)
    if filters.category:
        contacts = contacts.filter(categories__code=filters.category)
    if filters.harassment:
        contacts = contacts.filter(harassment=filters.harassment)
    if filters.staff_id:
        contacts = contacts.filter(staff_id=filters.staff_id)
    if filters.other_staff_id:
        contacts = contacts.filter(pk__in=_attended_by(filters.other_staff_id))
    if filters.involved_staff_id:
        contacts = contacts.filter(
            Q(staff_id=filters.involved_staff_id) | Q(pk__in=_attended_by(filters.involved_staff_id))
        )
    if filters.resident_id:
        contacts = contacts.filter(resident_id=filters.resident_id)
    if filters.live_only:
        contacts = contacts.filter(ended_at__isnull=True)
    if filters.hour is not None:
        contacts = contacts.filter(started_at__hour=filters.hour)
    if filters.weekday is not None:
        contacts = contacts.filter(started_at__iso_week_day=filters.weekday)
    if filters.over_limit:
        limit_seconds = current_policy().response_time.limit_minutes * 60
        contacts = contacts.filter(ended_at__isnull=False, duration_seconds__gt=limit_seconds)
    if filters.query.strip():
        contacts = contacts.filter(contact_query_condition(filters.query, user=user))
    return contacts


# Residents whose contacts a name search brings in, at most (a name that short matches a list anyway).
NAME_SEARCH_RESIDENTS = 200
# 「3001」「0003001」「No.3001」「対応記録 No.0003001」: the contact number as staff type and read it.
_NUMBER = re.compile(r"^(?:対応記録)?\s*(?:no\.?|#|番号)?\s*(\d{1,12})$")


def contact_number_from(query: str) -> int | None:
    """The contact id a query names by its number, or None."""
    match = _NUMBER.match(normalize(query))
    if match is None:
        return None
    number = int(match.group(1))
    return number if 0 < number < 2**63 else None


def _named(query: str) -> Q:
    resident_ids = resident_ids_named(query, limit=NAME_SEARCH_RESIDENTS)
    return Q(resident_id__in=resident_ids) if resident_ids else Q(pk__in=[])


def contact_query_condition(query: str, *, user=None) -> Q:
    """What the list's search box matches: the resident's whole name or kana
    (typed with or without spaces), or the contact number, or every word found
    in the contact's texts or its resident's name (「田中 転入届」). Each arm is
    an indexed lookup (the texts' trigram index on PostgreSQL, the resident's
    search key, the primary key), so the list stays fast at a million contacts.
    Apps built on records add what else a word may match for ``user``
    (``hooks.contact_search_extra``, e.g. evidence: a recording's transcript)."""
    # Each word adds a condition: beyond MAMORU_SEARCH_MAX_WORDS distinct words (the forms and the API refuse
    # more with a message) SQLite's expression tree overflows, so the rest are left out here.
    terms = list(dict.fromkeys(term for term in normalize(query).split(" ") if term))[
        : settings.MAMORU_SEARCH_MAX_WORDS
    ]
    condition = Q()
    for term in terms:
        matches = Q(search_text__contains=term) | _named(term)
        for extra in contact_search_extra.collect(user=user, term=term):
            matches |= extra
        condition &= matches
    if len(terms) > 1:
        condition |= _named(query)
    number = contact_number_from(query)
    if number is not None:
        condition |= Q(pk=number)
    return condition


def contact_list_for_display(*, user, filters: ContactFilter | None = None) -> QuerySet[Contact]:
    return (
        contact_list(user=user, filters=filters)
        .select_related("department", "staff", "resident")
        .prefetch_related("categories")
    )


# What a row of a contact table (lists, a resident's history, exports) shows:
# the long texts and the search column stay in the database.
TABLE_COLUMNS = (
    "id", "started_at", "ended_at", "duration_seconds", "channel", "summary", "harassment",
    "resident_description", "department__name", "staff__username", "staff__full_name", "resident__name",
)  # fmt: skip


@dataclass(frozen=True)
class ContactRow:
    """One row of a contact table: plain values, no model instances (building
    50 contacts with their department, staff and resident cost 3 ms a page)."""

    pk: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    duration_seconds: int | None
    channel: str
    summary: str
    harassment: str
    resident_description: str
    department_name: str
    staff_name: str
    resident_name: str | None
    categories: tuple[str, ...]

    @property
    def number(self) -> str:
        return contact_number(self.pk)

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


def contact_table_list(*, user, filters: ContactFilter | None = None) -> QuerySet[Contact]:
    """The contacts of a table, to paginate (the count reads no joined table),
    then to turn into rows with ``contact_table_rows``."""
    return contact_list(user=user, filters=filters)


def contact_table_rows(contacts: QuerySet[Contact]) -> list[ContactRow]:
    """ContactRows for ``contacts`` (a page of ``contact_table_list``), read as
    the columns a row shows, with their categories in one more query."""
    from .models import ContactCategory

    values = list(contacts.values(*TABLE_COLUMNS))
    categories: dict[int, list[str]] = {}
    for contact_id, code in ContactCategory.objects.filter(contact_id__in=[v["id"] for v in values]).values_list(
        "contact_id", "code"
    ):
        categories.setdefault(contact_id, []).append(code)
    return [
        ContactRow(
            pk=v["id"],
            started_at=v["started_at"],
            ended_at=v["ended_at"],
            duration_seconds=v["duration_seconds"],
            channel=v["channel"],
            summary=v["summary"],
            harassment=v["harassment"],
            resident_description=v["resident_description"],
            department_name=v["department__name"],
            staff_name=v["staff__full_name"] or v["staff__username"],
            resident_name=v["resident__name"],
            categories=tuple(categories.get(v["id"], ())),
        )
        for v in values
    ]


def contact_get(*, user, pk) -> Contact:
    """One contact, or 404 for anything outside the user's scope."""
    try:
        return (
            contact_list(user=user)
            .select_related("department", "staff", "resident", "created_by")
            .prefetch_related("categories", "other_staff")
            .get(pk=pk)
        )
    except (Contact.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("対応記録が見つからないか、閲覧する権限がありません。") from exc


def contact_live_list(*, user) -> QuerySet[Contact]:
    """Live contacts the user is handling (several at once is normal: two lines)."""
    return (
        contact_list(user=user)
        .filter(ended_at__isnull=True, staff=user)
        .select_related("department", "resident")
        .order_by("started_at")
    )


def contact_judgement_due_before(now: dt.datetime | None = None) -> dt.datetime:
    """Contacts ended before this time and still 未判断 are overdue (the pack's ``judgement.due_hours``)."""
    return (now or timezone.now()) - dt.timedelta(hours=current_policy().judgement.due_hours)


def contact_judgement_overdue_list(*, user, now: dt.datetime | None = None) -> QuerySet[Contact]:
    """Ended contacts left 未判断 longer than the pack allows, oldest first: the
    user's own; for a supervisor or above, every one of their own department's
    (the contacts of the staff they supervise) as well."""
    contacts = contact_list(user=user).filter(
        harassment=HarassmentJudgement.UNDECIDED, ended_at__lt=contact_judgement_due_before(now)
    )
    mine = Q(staff=user)
    if is_supervisor_or_above(user) and user.department_id:
        mine |= Q(department_id=user.department_id)
    return contacts.filter(mine).select_related("department", "staff", "resident").order_by("ended_at", "id")


def contact_judgement_undecided_list(*, user, now: dt.datetime | None = None) -> QuerySet[Contact]:
    """Ended contacts left 未判断 that wait for this user, oldest first: all of their own
    (overdue or not yet), and for a supervisor or above their department's overdue ones
    (the contacts of the staff they supervise). The home page's to-do list."""
    contacts = contact_list(user=user).filter(harassment=HarassmentJudgement.UNDECIDED, ended_at__isnull=False)
    mine = Q(staff=user)
    if is_supervisor_or_above(user) and user.department_id:
        mine |= Q(department_id=user.department_id, ended_at__lt=contact_judgement_due_before(now))
    return contacts.filter(mine).select_related("department", "staff", "resident").order_by("ended_at", "id")


def contact_judgement_waiting_list(*, user) -> QuerySet[Contact]:
    """判断待ち: contacts recorded as 判断に迷う（上司に相談）, waiting for the decision of
    a supervisor or above of their department (the specialist section: of every
    department), oldest first. Nobody else has such a queue."""
    if not is_supervisor_or_above(user):
        return Contact.objects.none()
    contacts = contact_list(user=user).filter(harassment=HarassmentJudgement.UNSURE)
    if not is_specialist(user):
        contacts = contacts.filter(department_id=user.department_id)
    return contacts.select_related("department", "staff", "resident").order_by("started_at", "id")


def contact_resident_page(*, user, resident, number, per_page: int = 50) -> Page:
    """A page of the resident's contacts in the departments the user may see,
    newest first, as rows of the history table (``ContactRow``)."""
    contacts = contact_table_list(user=user, filters=ContactFilter(resident_id=resident.pk))
    page = Paginator(contacts, per_page).get_page(number)
    page.object_list = contact_table_rows(page.object_list)
    return page


def contact_department_counts(*, user, resident):
    """The resident's contacts the user may see, counted by department (with
    those judged harassment), most first."""
    return (
        contact_list(user=user)
        .filter(resident=resident)
        .values("department__name")
        .annotate(total=Count("id"), harassment=Count("id", filter=Q(harassment=HarassmentJudgement.YES)))
        .order_by("-total")
    )
