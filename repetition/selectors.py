"""Reading repetition flags: the specialist section's review list, and the
short summary shown when a contact with a resident starts (the intake banner)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Max, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from mamoru.policy.loader import current as current_policy
from records.models import Contact

from .choices import FlagStatus
from .models import RecountRequest, RepetitionFlag

# The flag states that the intake banner and the pick list show.
SHOWN_STATES = (FlagStatus.OPEN, FlagStatus.CONFIRMED)


def flag_list(*, user, status: str = "") -> QuerySet[RepetitionFlag]:
    """Flags for the specialist section (every department's residents); nobody
    else sees the list. Open flags first, then the newest."""
    if user is None or not user.is_specialist:
        return RepetitionFlag.objects.none()
    flags = RepetitionFlag.objects.all()
    if status in FlagStatus.values:
        flags = flags.filter(status=status)
    return (
        flags.select_related("resident", "decided_by")
        .annotate(
            open_first=Case(When(status=FlagStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()),
            newest_contact_at=Max("contacts__started_at", filter=Q(contacts__deleted_at__isnull=True)),
        )
        .order_by("open_first", "-newest_contact_at", "-id")
    )


def flag_list_narrowed(
    flags: QuerySet[RepetitionFlag],
    *,
    rule: str = "",
    detected_from: dt.date | None = None,
    detected_to: dt.date | None = None,
) -> QuerySet[RepetitionFlag]:
    """``flags`` narrowed by the list's filters: the rule, the days detected (Asia/Tokyo, both included)."""
    tz = timezone.get_current_timezone()
    if rule:
        flags = flags.filter(rule_code=rule)
    if detected_from:
        flags = flags.filter(detected_at__gte=dt.datetime.combine(detected_from, dt.time.min, tz))
    if detected_to:
        end = dt.datetime.combine(detected_to + dt.timedelta(days=1), dt.time.min, tz)
        flags = flags.filter(detected_at__lt=end)
    return flags


def flag_list_for_display(*, user, status: str = "") -> QuerySet[RepetitionFlag]:
    """``flag_list`` with the departments of each flag's contacts loaded (two queries)."""
    return flag_list(user=user, status=status).prefetch_related(
        Prefetch(
            "contacts",
            queryset=Contact.objects.filter(deleted_at__isnull=True)
            .select_related("department")
            .order_by("started_at"),
            to_attr="live_contacts",
        )
    )


def flag_get(*, user, pk) -> RepetitionFlag:
    """One flag, or 404 for anyone outside the specialist section."""
    try:
        return flag_list(user=user).get(pk=pk)
    except (RepetitionFlag.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("繰り返しの確認が見つからないか、閲覧する権限がありません。") from exc


def flag_contacts(*, flag: RepetitionFlag) -> QuerySet[Contact]:
    """The contacts that made the rule fire (soft-deleted ones left out)."""
    return (
        flag.contacts.filter(deleted_at__isnull=True)
        .select_related("department", "staff")
        .prefetch_related("categories")
        .order_by("started_at", "id")
    )


def flag_shown_for(*, resident_ids) -> dict[int, list[RepetitionFlag]]:
    """Open and confirmed flags by resident id, in one query (the pick list)."""
    found: dict[int, list[RepetitionFlag]] = {}
    for flag in RepetitionFlag.objects.filter(resident_id__in=list(resident_ids), status__in=SHOWN_STATES).order_by(
        "status", "-detected_at"
    ):
        found.setdefault(flag.resident_id, []).append(flag)
    return found


def active_measures(*, resident) -> list:
    """The resident's active measures (措置) for the banner."""
    from measures.selectors import measure_active_list  # imported late, as measures imports records

    return list(measure_active_list(resident=resident))


@dataclass
class IntakeSummary:
    """What the intake banner says about a resident: counts over the pack's
    longest window across every department, the flags and the measures."""

    days: int = 0
    contact_count: int = 0
    department_count: int = 0
    channel_counts: list[tuple[str, int]] = field(default_factory=list)
    flags: list[RepetitionFlag] = field(default_factory=list)
    measures: list = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return bool(self.flags or self.measures)


def longest_window_days(pack) -> int:
    return max((rule.days for rule in pack.repetition_rules), default=0)


def intake_summary(*, resident, now: dt.datetime | None = None) -> IntakeSummary:
    """The banner's facts, in at most three queries plus the measures app's:
    the flags, the measures and (only when either exists) one count."""
    summary = IntakeSummary(
        flags=list(
            RepetitionFlag.objects.filter(resident_id=resident.pk, status__in=SHOWN_STATES).order_by(
                "status", "-detected_at"
            )
        ),
        measures=active_measures(resident=resident),
    )
    if not summary.shown:
        return summary
    pack = current_policy()
    summary.days = longest_window_days(pack)
    if summary.days:
        now = now or timezone.now()
        rows = Contact.objects.filter(
            resident_id=resident.pk,
            deleted_at__isnull=True,
            started_at__gt=now - dt.timedelta(days=summary.days),
            started_at__lte=now,
        ).values_list("department_id", "channel")
        departments, channels = set(), {}
        for department_id, channel in rows:
            departments.add(department_id)
            channels[channel] = channels.get(channel, 0) + 1
        summary.contact_count = sum(channels.values())
        summary.department_count = len(departments)
        # The channels the pack's rules single out (電話 for 度重なる電話), in pack order.
        named = [code for rule in pack.repetition_rules for code in rule.channels]
        summary.channel_counts = [
            (pack.channel_name(code), channels.get(code, 0)) for code in dict.fromkeys(named) if channels.get(code)
        ]
    return summary


def recount_pending_count() -> int:
    """How many residents wait for their rules to be counted again (再集計待ち)."""
    return RecountRequest.objects.count()
