"""Staff exposure (issue 16, 職員ごとの対応状況): who reaches it, the scope, figures
checked against counts made here by hand from the fixture data, the links behind
them, the audit entry, the CSV export and a bounded number of queries."""

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import twofactor
from audit.models import AuditEntry
from cases.models import Case
from cases.services import follow_up_complete, follow_up_record
from records.choices import HarassmentJudgement
from records.models import Contact

from .factories import make_contact

TOKYO = ZoneInfo("Asia/Tokyo")
URL = reverse("stats:staff_exposure")
FY2025 = {"period": "fiscal_year", "fiscal_year": 2025}
YES = dict(
    harassment=HarassmentJudgement.YES,
    categories=["verbal_abuse"],
    content_unreasonable="no",
    manner_inappropriate="yes",
    manner_reason="大声で職員を罵倒し続けた",
)
NO = dict(harassment=HarassmentJudgement.NO)


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def contact_on(actor, start, minutes=10, **fields):
    return make_contact(actor, started_at=start, ended_at=start + dt.timedelta(minutes=minutes), **fields)


@pytest.fixture
def exposure_2025(city):
    """Fiscal year 2025 (令和7年度). By hand, for 市民課:
    staff1 handled harassment 45 + 31 + 20 min (3, the last one started 23:50 on
    31 March and ran into the next fiscal year) and attended supervisor1's 24 min (1):
    4 harassment, 120 min = 2.0 h, longest 45 min; plus a contact judged not harassment
    handled and one attended: 6 contacts. supervisor1: handled 24, attended staff1's 31:
    2, 55 min, longest 31. manager1: attended the 24-minute one, handled one not harassment."""
    contact_on(city.staff, at(2025, 4, 1, 9), minutes=45, **YES)
    contact_on(city.staff, at(2025, 6, 2, 14), minutes=31, other_staff=[city.supervisor], **YES)
    contact_on(city.staff, at(2025, 7, 3), **NO)
    contact_on(city.staff, at(2026, 3, 31, 23, 50), minutes=20, **YES)
    contact_on(city.supervisor, at(2025, 9, 1), minutes=24, other_staff=[city.staff, city.manager], **YES)
    contact_on(city.manager, at(2025, 10, 1), other_staff=[city.staff], **NO)
    # Outside: the fiscal year before, another department, a deleted contact.
    contact_on(city.staff, at(2025, 3, 31, 23, 59), minutes=90, **YES)
    contact_on(city.zeimu_staff, at(2025, 5, 1), minutes=50, **YES)
    deleted = contact_on(city.staff, at(2025, 8, 1), minutes=300, **YES)
    Contact.objects.filter(pk=deleted.pk).update(deleted_at=at(2025, 8, 2))
    case = Case.objects.filter(department=city.shimin).order_by("pk").first()
    # staff1's care: due in the year and still open (overdue), due in the year and done, due the year after.
    follow_up_record(
        actor=city.supervisor,
        case=case,
        staff=city.staff,
        kind="interview",
        due_date=dt.date(2025, 5, 1),
        past_due_confirmed=True,
    )
    done = follow_up_record(
        actor=city.supervisor,
        case=case,
        staff=city.staff,
        kind="rest",
        due_date=dt.date(2025, 6, 1),
        past_due_confirmed=True,
    )
    follow_up_complete(actor=city.supervisor, follow_up=done)
    follow_up_record(
        actor=city.supervisor,
        case=case,
        staff=city.staff,
        kind="interview",
        due_date=dt.date(2026, 5, 1),
        past_due_confirmed=True,
    )


def rows_of(response):
    return {row.name: row for row in response.context["rows"]}


def test_only_managers_and_the_specialist_section(city, client_for):
    for user in (city.staff, city.supervisor, city.admin):
        assert client_for(user).get(URL).status_code == 403
    for user in (city.manager, city.specialist):
        response = client_for(user).get(URL)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"


def test_figures_match_the_fixture(city, client_for, exposure_2025):
    response = client_for(city.manager).get(URL, FY2025)
    assert response.status_code == 200
    rows = rows_of(response)
    # A manager sees their department's staff only.
    assert set(rows) == {"市民 一郎", "市民 課長補佐", "市民 課長"}
    staff = rows["市民 一郎"]
    assert (staff.harassment, staff.handled, staff.attended) == (4, 3, 1)
    assert (staff.hours, staff.longest, staff.contacts) == (2.0, 45.0, 6)
    assert (staff.follow_ups, staff.overdue) == (2, 1)
    supervisor = rows["市民 課長補佐"]
    assert (supervisor.harassment, supervisor.handled, supervisor.attended) == (2, 1, 1)
    assert (supervisor.hours, supervisor.longest, supervisor.contacts) == (0.9, 31.0, 2)
    manager = rows["市民 課長"]
    assert (manager.harassment, manager.attended, manager.contacts, manager.longest) == (1, 1, 2, 24.0)
    # The most harassment contacts first.
    assert [row.name for row in response.context["rows"]] == ["市民 一郎", "市民 課長補佐", "市民 課長"]
    page = response.content.decode()
    assert "市民 一郎" in page and "税務 花子" not in page


def test_the_specialist_section_sees_every_department(city, client_for, exposure_2025):
    response = client_for(city.specialist).get(URL, FY2025)
    rows = rows_of(response)
    assert {"市民 一郎", "税務 花子", "総務 専門"} <= set(rows)
    assert "管理 者" not in rows  # the administrator handles no contact
    zeimu = rows["税務 花子"]
    assert (zeimu.harassment, zeimu.hours, zeimu.longest) == (1, 0.8, 50.0)
    assert rows["総務 専門"].contacts == 0
    one = client_for(city.specialist).get(URL, {**FY2025, "department": city.zeimu.pk})
    assert set(rows_of(one)) == {"税務 花子"}


def test_a_month_counts_only_that_month(city, client_for, exposure_2025):
    response = client_for(city.manager).get(URL, {"period": "month", "month": "2025-06"})
    rows = rows_of(response)
    assert (rows["市民 一郎"].handled, rows["市民 一郎"].attended, rows["市民 一郎"].follow_ups) == (1, 0, 1)
    assert rows["市民 一郎"].overdue == 0  # the June follow-up was done
    assert (rows["市民 課長補佐"].attended, rows["市民 課長補佐"].handled) == (1, 0)


def test_another_department_is_not_found_and_bad_input_reads_a_message(city, client_for):
    client = client_for(city.manager)
    assert client.get(URL, {"department": city.zeimu.pk}).status_code == 404
    response = client.get(URL, {"period": "range", "date_from": "2025-05-01", "date_to": "2025-04-01"})
    assert response.status_code == 400
    assert "期間の終わりが始まりより前になっています。" in response.content.decode()
    response = client.get(URL, {"department": "999999"})
    assert response.status_code == 400
    assert "指定された所属はありません。" in response.content.decode()


def test_the_read_is_audited(city, client_for, exposure_2025):
    client_for(city.manager).get(URL, FY2025)
    entry = AuditEntry.objects.get(action="stats.staff_exposure.viewed")
    assert entry.actor == city.manager
    assert entry.after["count"] == 3
    assert entry.after["filters"] == {"期間": "令和7年度", "所属": "市民課"}


def test_each_number_leads_to_the_contacts_behind_it(city, client_for, exposure_2025):
    client = client_for(city.manager)
    staff = rows_of(client.get(URL, FY2025))["市民 一郎"]
    expected = {"harassment": 4, "handled": 3, "attended": 1, "contacts": 6, "hours": 4, "longest": 4}
    for key, count in expected.items():
        listed = client.get(staff.links[key])
        assert listed.status_code == 200, key
        assert listed.context["page"].paginator.count == count, key
    assert staff.links["overdue"] == reverse("cases:staff_care")


def test_other_staff_filter_of_the_contact_list(city, client_for, exposure_2025):
    """同席職員 and 対応または同席した職員: each contact once, whatever the number of attendants."""
    client = client_for(city.staff)
    listed = client.get(reverse("records:contact_list"), {"other_staff": city.manager.pk})
    assert listed.context["page"].paginator.count == 1
    listed = client.get(reverse("records:contact_list"), {"involved": city.supervisor.pk})
    assert listed.context["page"].paginator.count == 2


def test_the_dashboard_links_to_the_page_for_managers(city, client_for):
    page = client_for(city.manager).get(reverse("stats:dashboard")).content.decode()
    assert URL in page
    home = client_for(city.staff).get(reverse("records:home")).content.decode()
    assert URL not in home


def test_csv_export(city, client_for, exposure_2025):
    response = client_for(city.manager).get(URL, {**FY2025, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff【出力記録】")
    lines = text.splitlines()
    assert lines[1].startswith("職員,所属,カスハラ（計）")
    assert lines[2] == "市民 一郎,市民課,4,3,1,2.0,45.0,6,2,1"
    entry = AuditEntry.objects.get(action="stats.staff_exposure.exported")
    assert entry.after["count"] == 3


def test_the_export_asks_for_a_second_sign_in_when_the_last_is_old(city, client_for):
    client = client_for(city.manager)
    session = client.session
    session[twofactor.SIGNED_IN_AT] = time.time() - 60 * 60
    session.save()
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert not AuditEntry.objects.filter(action="stats.staff_exposure.exported").exists()


def test_a_bounded_number_of_queries(city, client_for, exposure_2025):
    client = client_for(city.specialist)
    client.get(URL, FY2025)  # warm the caches (policy, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, FY2025)
    for day in range(1, 21):
        contact_on(city.supervisor, at(2025, 11, day), minutes=day, other_staff=[city.staff, city.manager], **YES)
        contact_on(city.zeimu_staff, at(2025, 12, day), minutes=day, **YES)
    with CaptureQueriesContext(connection) as many:
        client.get(URL, FY2025)
    assert len(many) == len(few)


def test_the_demo_has_care_done_due_and_overdue(db, client):
    """``seed-demo`` records care follow-ups, so the page has more than zeros to show."""
    from accounts.models import User
    from cases.models import StaffFollowUp
    from demo.generator import seed_demo

    today = dt.date(2026, 4, 1)
    seed_demo(seed=7, contacts=200, residents=30, today=today)
    follow_ups = StaffFollowUp.objects.all()
    assert follow_ups.filter(done_at__isnull=False).exists()
    assert follow_ups.filter(done_at__isnull=True, due_date__gte=today).exists()
    assert follow_ups.filter(done_at__isnull=True, due_date__lt=today).exists()
    assert all(f.staff.department_id == f.case.department_id for f in follow_ups.select_related("case", "staff"))
    client.force_login(User.objects.get(username="specialist1"))
    rows = client.get(URL, FY2025).context["rows"]
    harassment = Contact.objects.filter(harassment="yes", deleted_at__isnull=True).prefetch_related("other_staff")
    assert all(at(2025, 4, 1, 0) <= c.started_at < at(2026, 4, 1, 0) for c in harassment)
    by_hand = sum(1 + sum(1 for u in c.other_staff.all() if u != c.staff) for c in harassment)
    assert sum(row.harassment for row in rows) == by_hand
    in_year = [f for f in follow_ups if dt.date(2025, 4, 1) <= f.due_date <= dt.date(2026, 3, 31)]
    assert sum(row.follow_ups for row in rows) == len(in_year)
    overdue = [f for f in in_year if f.done_at is None and f.due_date < timezone.localdate()]
    assert sum(row.overdue for row in rows) == len(overdue)
