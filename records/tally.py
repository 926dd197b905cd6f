"""Contact tallies (集計, issue 16): the live contacts counted per day and hour
they started (in the city's time zone), department and channel, and per
category, so that the statistics of a year read some ten thousand rows instead
of a million contacts (benchmarks/stats.py: the dashboard of a year at 1,000,000
contacts on PostgreSQL took about 10 s counting the contacts, most of it turning
every start into the city's local day and hour).

How they are kept equal to the contacts:

- every save of a contact (``contact_saved``: start, create, update, end, the
  decision on 判断に迷う, deletion) asks for its day to be counted again — one
  upsert of a ``ContactTallyRequest`` in the save's transaction — and for the
  day it started before when the start moved;
- the days asked for are counted again (delete + insert from one grouped query
  per table, in one transaction) by the background loop of each server process
  (``contact_tally_step``, every ``MAMORU_CONTACT_TALLY_INTERVAL`` seconds), by
  ``python -m mamoru contact-tally``, and by the figures themselves before they
  read (``contact_tally_pending``), so that a figure is never older than the
  last save;
- ``python -m mamoru contact-tally --rebuild`` counts everything again (after a
  bulk load that bypassed the services, such as the demo's, or a change of the
  city's time zone).

A contact that runs past midnight counts on the day it began, as in the direct
counts. Deleted contacts are never counted."""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from mamoru.policy.loader import current as current_policy

from .choices import HarassmentJudgement
from .models import (
    Contact,
    ContactCategory,
    ContactCategoryTally,
    ContactRevision,
    ContactTally,
    ContactTallyRequest,
)

logger = logging.getLogger(__name__)
YES = HarassmentJudgement.YES
BATCH = 2000


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_current_timezone()).date()


def limit_seconds() -> int:
    """The pack's limit of one contact (対応時間の上限), in seconds."""
    return current_policy().response_time.limit_minutes * 60


def contact_tally_later(*, days: Iterable[dt.date]) -> None:
    """Ask for ``days`` to be counted again: one upsert, in the caller's transaction
    (so the request is kept exactly when the change is)."""
    wanted = sorted(set(days))
    if not wanted:
        return
    ContactTallyRequest.objects.bulk_create(
        [ContactTallyRequest(day=day, token=uuid.uuid4()) for day in wanted],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["token"],
    )


def on_contact_saved(*, contact: Contact, created: bool, changed: set, **kwargs) -> None:
    """``records.hooks.contact_saved``: the contact's day, and the day it started on
    before when its start moved (read from its previous revision)."""
    days = {local_day(contact.started_at)}
    if not created and "started_at" in changed:
        previous = (
            ContactRevision.objects.filter(contact=contact, version__lt=contact.version)
            .order_by("-version")
            .values_list("snapshot", flat=True)
            .first()
        )
        try:
            days.add(dt.date.fromisoformat(str((previous or {}).get("started_at", ""))[:10]))
        except ValueError:  # no readable start: count every day of the month around both
            days |= _days_around(contact.started_at)
    contact_tally_later(days=days)


def _days_around(moment: dt.datetime) -> set[dt.date]:
    day = local_day(moment)
    last = calendar.monthrange(day.year, day.month)[1]
    return {day.replace(day=number) for number in range(1, last + 1)}


# ---------------------------------------------------------------- counting


def _contact_rows(start: dt.datetime, end: dt.datetime, limit: int):
    tz = timezone.get_current_timezone()
    ended = Q(ended_at__isnull=False)
    yes = Q(harassment=YES)
    over = Q(ended_at__isnull=False, duration_seconds__gt=limit)
    seconds = {"output_field": IntegerField()}
    return (
        Contact.objects.filter(started_at__gte=start, started_at__lt=end, deleted_at__isnull=True)
        .annotate(day=TruncDate("started_at", tzinfo=tz), hour=ExtractHour("started_at", tzinfo=tz))
        .values("day", "hour", "department_id", "channel")
        .annotate(
            contacts=Count("id"),
            harassment_count=Count("id", filter=yes),
            unsure=Count("id", filter=Q(harassment=HarassmentJudgement.UNSURE)),
            undecided_ended=Count("id", filter=ended & Q(harassment=HarassmentJudgement.UNDECIDED)),
            ended=Count("id", filter=ended),
            harassment_ended=Count("id", filter=ended & yes),
            seconds=Coalesce(Sum("duration_seconds", filter=ended), 0, **seconds),
            harassment_seconds=Coalesce(Sum("duration_seconds", filter=ended & yes), 0, **seconds),
            over_limit=Count("id", filter=over),
            harassment_over_limit=Count("id", filter=over & yes),
        )
        .order_by()
    )


def _category_rows(start: dt.datetime, end: dt.datetime):
    tz = timezone.get_current_timezone()
    return (
        ContactCategory.objects.filter(
            contact__started_at__gte=start, contact__started_at__lt=end, contact__deleted_at__isnull=True
        )
        .annotate(day=TruncDate("contact__started_at", tzinfo=tz))
        .values("day", "contact__department_id", "code")
        .annotate(contacts=Count("contact_id"), harassment_count=Count("contact_id", filter=Q(contact__harassment=YES)))
        .order_by()
    )


def _count(first: dt.date, last: dt.date) -> int:
    """Count the days ``first`` to ``last`` again (the caller holds the transaction).
    Returns the tally rows written."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz)
    limit = limit_seconds()
    ContactTally.objects.filter(day__gte=first, day__lte=last).delete()
    ContactCategoryTally.objects.filter(day__gte=first, day__lte=last).delete()
    tallies = [
        ContactTally(
            day=row["day"],
            hour=row["hour"],
            department_id=row["department_id"],
            channel=row["channel"],
            contacts=row["contacts"],
            harassment=row["harassment_count"],
            unsure=row["unsure"],
            undecided_ended=row["undecided_ended"],
            ended=row["ended"],
            harassment_ended=row["harassment_ended"],
            seconds=row["seconds"],
            harassment_seconds=row["harassment_seconds"],
            over_limit=row["over_limit"],
            harassment_over_limit=row["harassment_over_limit"],
            limit_seconds=limit,
        )
        for row in _contact_rows(start, end, limit).iterator(chunk_size=BATCH)
    ]
    ContactTally.objects.bulk_create(tallies, batch_size=BATCH)
    categories = [
        ContactCategoryTally(
            day=row["day"],
            department_id=row["contact__department_id"],
            code=row["code"],
            contacts=row["contacts"],
            harassment=row["harassment_count"],
        )
        for row in _category_rows(start, end).iterator(chunk_size=BATCH)
    ]
    ContactCategoryTally.objects.bulk_create(categories, batch_size=BATCH)
    return len(tallies) + len(categories)


def contact_tally_pending(*, limit: int | None = None, wait: bool = True) -> int:
    """Count again the days asked for (oldest day first), each in its own transaction
    with its request locked: a request another process is counting is waited for
    (``wait``, the figures: they then read its result) or skipped (the background
    loop). Returns the days counted."""
    pending = ContactTallyRequest.objects.order_by("day").values_list("day", flat=True)
    if limit is not None:
        pending = pending[:limit]
    counted = 0
    for day in list(pending):
        try:
            with transaction.atomic():
                request = ContactTallyRequest.objects.select_for_update(skip_locked=not wait).filter(day=day).first()
                if request is None:  # counted meanwhile, or being counted elsewhere
                    continue
                _count(day, day)
                request.delete()
        except Exception:
            if wait:
                raise
            logger.exception("contact tally failed for %s", day)
            continue
        counted += 1
    return counted


TALLY_STEP = 20


def contact_tally_step() -> int:
    """One short pass of the background loop (``mamoru.background``)."""
    return contact_tally_pending(limit=TALLY_STEP, wait=False)


def contact_tally_rebuild(*, progress=None) -> int:
    """Count every contact again, month by month (one transaction each, so the tallies
    of a month are never half-written). Returns the tally rows written."""
    bounds = Contact.objects.filter(deleted_at__isnull=True).order_by("started_at")
    first_contact, last_contact = bounds.first(), bounds.last()
    written = 0
    with transaction.atomic():
        ContactTallyRequest.objects.all().delete()
        if first_contact is None:
            ContactTally.objects.all().delete()
            ContactCategoryTally.objects.all().delete()
            return 0
        first, last = local_day(first_contact.started_at), local_day(last_contact.started_at)
        ContactTally.objects.exclude(day__gte=first, day__lte=last).delete()
        ContactCategoryTally.objects.exclude(day__gte=first, day__lte=last).delete()
    month = first.replace(day=1)
    while month <= last:
        month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        with transaction.atomic():
            written += _count(month, month_end)
        if progress:
            progress(month)
        month = month_end + dt.timedelta(days=1)
    return written
