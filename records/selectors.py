"""Reading contacts, always narrowed to the departments the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.selectors import department_visible_ids
from mamoru.lib.japanese import normalize

from .choices import HarassmentJudgement
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
    resident_id: int | None = None
    query: str = ""
    live_only: bool = False


def contact_list(*, user, filters: ContactFilter | None = None) -> QuerySet[Contact]:
    """Contacts the user may see, filtered, newest first."""
    contacts = Contact.objects.filter(department__in=department_visible_ids(user=user), deleted_at__isnull=True)
    if filters is None:
        return contacts
    tz = timezone.get_current_timezone()
    if filters.date_from:
        contacts = contacts.filter(started_at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tz))
    if filters.date_to:
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
    if filters.resident_id:
        contacts = contacts.filter(resident_id=filters.resident_id)
    if filters.live_only:
        contacts = contacts.filter(ended_at__isnull=True)
    for term in normalize(filters.query).split(" "):
        if term:
            contacts = contacts.filter(search_text__contains=term)
    return contacts


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
