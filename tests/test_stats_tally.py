"""The statistics' tallies (records.tally, issue 16): the dashboard's contact figures,
read from the tallies, equal counts made here from the contacts themselves after
the contacts were created, edited (start moved to another day, department, channel),
judged, deleted, started live and ended; the tallies kept day by day equal those
counted again from scratch; and a tally made under another time limit is not used
for the time-limit figure."""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from records.choices import HarassmentJudgement
from records.models import Contact, ContactCategoryTally, ContactTally, ContactTallyRequest
from records.services import (
    ContactData,
    contact_delete,
    contact_end,
    contact_judgement_decide,
    contact_start,
    contact_update,
)
from records.tally import contact_tally_pending, contact_tally_rebuild

from .factories import make_contact

TOKYO = ZoneInfo("Asia/Tokyo")
YES = dict(
    harassment=HarassmentJudgement.YES,
    categories=["verbal_abuse", "threat"],
    content_unreasonable="no",
    manner_inappropriate="yes",
    manner_reason="大声で職員を罵倒し続けた",
)
LIMIT = 30 * 60


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def contact_on(actor, start, minutes=10, **fields):
    return make_contact(actor, started_at=start, ended_at=start + dt.timedelta(minutes=minutes), **fields)


@pytest.fixture
def history(city):
    """Contacts of fiscal year 2025, then what happens to some of them."""
    moved = contact_on(city.staff, at(2025, 5, 10, 9), minutes=40)
    to_zeimu = contact_on(city.staff, at(2025, 6, 3, 14))
    to_phone = contact_on(city.zeimu_staff, at(2025, 6, 3, 15), minutes=31, **YES)
    unsure = contact_on(city.staff, at(2025, 7, 1, 11), harassment=HarassmentJudgement.UNSURE)
    unsure_no = contact_on(city.staff, at(2025, 7, 1, 12), harassment=HarassmentJudgement.UNSURE)
    deleted = contact_on(city.staff, at(2025, 8, 20, 10), **YES)
    contact_on(city.staff, at(2025, 11, 30, 23, 50), minutes=20)  # past midnight: the 30th
    contact_on(city.zeimu_staff, at(2026, 3, 31, 23, 59), minutes=45, **YES)
    contact_on(city.staff, at(2025, 4, 1, 0, 0), harassment=HarassmentJudgement.UNDECIDED)
    contact_on(city.staff, at(2026, 4, 1, 0, 0))  # the next fiscal year
    contact_tally_pending()  # counted, as the background loop would, before the changes below

    def update(contact, **changes):
        data = ContactData.from_contact(Contact.objects.get(pk=contact.pk))
        for name, value in changes.items():
            setattr(data, name, value)
        return contact_update(actor=city.specialist, contact=Contact.objects.get(pk=contact.pk), data=data)

    # The start moves from May to September (another day and month, another hour).
    update(moved, started_at=at(2025, 9, 2, 16, 5), ended_at=at(2025, 9, 2, 16, 50))
    update(to_zeimu, department=city.zeimu)
    update(to_phone, channel="phone")
    contact_judgement_decide(
        actor=city.supervisor, contact=unsure, harassment="yes", reason="大声の罵声", categories=["threat"]
    )
    contact_judgement_decide(actor=city.supervisor, contact=unsure_no, harassment="no", reason="正当な要望")
    contact_delete(actor=city.supervisor, contact=deleted, reason="重複して入力したため")
    return city


def expected(department_ids):
    """Counts made here from the contacts (fiscal year 2025, live records)."""
    start, end = at(2025, 4, 1, 0), at(2026, 4, 1, 0)
    contacts = list(
        Contact.objects.filter(
            deleted_at__isnull=True, started_at__gte=start, started_at__lt=end, department_id__in=department_ids
        ).prefetch_related("categories")
    )
    local = {c.pk: c.started_at.astimezone(TOKYO) for c in contacts}
    yes = [c for c in contacts if c.harassment == "yes"]
    ended = [c for c in contacts if c.ended_at is not None]
    return {
        "month": Counter((local[c.pk].year, local[c.pk].month) for c in contacts),
        "month_yes": Counter((local[c.pk].year, local[c.pk].month) for c in yes),
        "hour": Counter(local[c.pk].hour for c in contacts),
        "weekday": Counter(local[c.pk].isoweekday() for c in contacts),
        "department": Counter(c.department_id for c in contacts),
        "channel": Counter(c.channel for c in contacts),
        "category_yes": Counter(row.code for c in yes for row in c.categories.all()),
        "ended": len(ended),
        "over": sum(1 for c in ended if (c.ended_at - c.started_at).total_seconds() > LIMIT),
        "seconds": sum((c.ended_at - c.started_at).total_seconds() for c in ended),
        "yes_ended": sum(1 for c in ended if c.harassment == "yes"),
    }


def shown(client, **params):
    page = client.get(reverse("stats:dashboard"), {"fiscal_year": 2025, **params})
    assert page.status_code == 200
    return {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}


def assert_figures_match(tables, want, city):
    months = {r.label: r.values for r in tables["contacts_by_month"].rows}
    labels = {(2025, m): f"令和7年{m}月" for m in range(4, 13)} | {(2026, m): f"令和8年{m}月" for m in range(1, 4)}
    for key, label in labels.items():
        assert months[label][0] == want["month"].get(key, 0), label
        assert months[label][1] == want["month_yes"].get(key, 0), label
    hours = {r.label: r.values[0] for r in tables["contacts_by_hour"].rows}
    assert hours == {f"{h}時台": want["hour"].get(h, 0) for h in range(24)}
    weekdays = [r.values[0] for r in tables["contacts_by_weekday"].rows]
    assert weekdays == [want["weekday"].get(d, 0) for d in range(1, 8)]
    departments = {r.label: r.values[0] for r in tables["contacts_by_department"].rows}
    names = {city.shimin.pk: "市民課", city.zeimu.pk: "税務課", city.somu.pk: "総務課"}
    assert departments == {names[pk]: want["department"].get(pk, 0) for pk in names if names[pk] in departments}
    channels = {r.label: r.values[0] for r in tables["contacts_by_channel"].rows}
    assert channels["窓口"] == want["channel"].get("counter", 0)
    assert channels["電話"] == want["channel"].get("phone", 0)
    categories = {r.label: r.values[0] for r in tables["contacts_by_category"].rows}
    assert categories["脅迫"] == want["category_yes"].get("threat", 0)
    assert categories["暴言"] == want["category_yes"].get("verbal_abuse", 0)
    over = tables["contacts_over_limit"].rows
    assert over[0].values[0] == want["ended"]
    assert over[0].values[1] == want["over"]
    assert over[0].values[3] == round(want["seconds"] / 3600, 1)
    assert over[1].values[0] == want["yes_ended"]


def test_figures_equal_counts_of_the_contacts_after_edits_judgements_and_deletions(history, client_for):
    city = history
    contact_tally_pending()
    tables = shown(client_for(city.specialist))
    want = expected([city.shimin.pk, city.zeimu.pk, city.somu.pk])
    assert_figures_match(tables, want, city)
    # What the history did, in numbers written out: 9 contacts of the year, one deleted.
    assert sum(want["month"].values()) == 8
    assert want["month"][(2025, 9)] == 1 and want["month"].get((2025, 5), 0) == 0  # the moved start
    assert want["department"][city.zeimu.pk] == 3
    assert (
        want["category_yes"]["threat"] == 3
    )  # the phone contact, 31 March, the decided 判断に迷う; not the deleted one
    assert want["over"] == 3  # 40, 31 and 45 minutes


def test_a_manager_reads_the_same_as_the_contacts_of_their_department(history, client_for):
    city = history
    contact_tally_pending()
    tables = shown(client_for(city.manager))
    assert_figures_match(tables, expected([city.shimin.pk]), city)


def test_live_contacts_count_when_started_and_again_when_ended(city, client_for):
    live = contact_start(actor=city.staff, channel="counter")
    today = dt.datetime.now(TOKYO).date()
    params = {"period": "range", "date_from": today.isoformat(), "date_to": today.isoformat()}
    client = client_for(city.specialist)
    tables = shown(client, **params)
    assert sum(r.values[0] for r in tables["contacts_by_month"].rows) == 1
    assert tables["contacts_over_limit"].rows[0].values[0] == 0  # not ended yet
    contact_end(actor=city.staff, contact=live)
    tables = shown(client, **params)
    assert tables["contacts_over_limit"].rows[0].values[0] == 1


def test_tallies_kept_day_by_day_equal_those_counted_from_scratch(history):
    contact_tally_pending()
    assert not ContactTallyRequest.objects.exists()

    def rows():
        tallies = ContactTally.objects.values_list(
            "day",
            "hour",
            "department_id",
            "channel",
            "contacts",
            "harassment",
            "unsure",
            "undecided_ended",
            "ended",
            "harassment_ended",
            "seconds",
            "harassment_seconds",
            "over_limit",
            "harassment_over_limit",
        )
        categories = ContactCategoryTally.objects.values_list("day", "department_id", "code", "contacts", "harassment")
        return sorted(tallies), sorted(categories)

    kept = rows()
    assert kept[0] and kept[1]
    contact_tally_rebuild()
    assert rows() == kept
    ContactTally.objects.all().delete()
    call_command("contact_tally", "--rebuild", stdout=open("/dev/null", "w"))
    assert rows() == kept


def test_a_day_tallied_under_another_time_limit_is_counted_from_the_contacts(history, client_for):
    city = history
    contact_tally_pending()
    ContactTally.objects.update(limit_seconds=60 * 60, over_limit=0, harassment_over_limit=0)
    tables = shown(client_for(city.specialist))
    assert tables["contacts_over_limit"].rows[0].values[1] == 3


def test_drawing_the_figures_writes_nothing_and_counts_the_days_waiting(history, client_for):
    """The days saved since the last pass are counted from the contacts, not written by the GET."""
    city = history
    waiting = set(ContactTallyRequest.objects.values_list("day", flat=True))
    assert dt.date(2025, 9, 2) in waiting and dt.date(2025, 5, 10) in waiting  # the moved start, both days
    tables = shown(client_for(city.specialist))
    assert set(ContactTallyRequest.objects.values_list("day", flat=True)) == waiting
    assert_figures_match(tables, expected([city.shimin.pk, city.zeimu.pk, city.somu.pk]), city)
    contact_tally_pending()  # the background loop's pass: the same figures from the tallies alone
    assert not ContactTallyRequest.objects.exists()
    assert_figures_match(
        shown(client_for(city.specialist)), expected([city.shimin.pk, city.zeimu.pk, city.somu.pk]), city
    )


def test_the_background_loop_and_the_command_count_the_days_waiting(history, settings):
    assert ("records.tally.contact_tally_step", "MAMORU_CONTACT_TALLY_INTERVAL") in settings.MAMORU_BACKGROUND_JOBS
    from records.tally import TALLY_STEP, contact_tally_step

    waiting = ContactTallyRequest.objects.count()
    assert 0 < waiting <= TALLY_STEP
    assert contact_tally_step() == waiting
    assert contact_tally_step() == 0
    contact_on(history.staff, at(2025, 10, 1, 9))
    call_command("contact_tally", stdout=open("/dev/null", "w"))
    assert not ContactTallyRequest.objects.exists()
    assert ContactTally.objects.filter(day=dt.date(2025, 10, 1)).get().contacts == 1


def test_the_demo_counts_its_bulk_load(db):
    """The demo's contacts are loaded without the services: the seeding counts them afterwards."""
    from django.db.models import Sum

    from demo.generator import seed_demo

    seed_demo(contacts=120, residents=20, months=2)
    live = Contact.objects.filter(deleted_at__isnull=True)
    assert ContactTally.objects.aggregate(n=Sum("contacts"))["n"] == live.count()
    assert ContactTally.objects.aggregate(n=Sum("harassment"))["n"] == live.filter(harassment="yes").count()
    assert not ContactTallyRequest.objects.exists()
