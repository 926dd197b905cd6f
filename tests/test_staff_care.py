"""Staff care: follow-ups for staff affected by a case, and the managers' page
of harassment contacts per member of staff in the last 90 days with overdue
follow-ups (managers and the specialist section only)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from cases.models import Case
from cases.permissions import may_see_follow_up
from cases.selectors import follow_up_list, staff_care_list
from cases.services import follow_up_complete, follow_up_record

from .factories import make_contact

HARASSMENT = dict(harassment="yes", categories=["verbal_abuse"])


def _case(city):
    make_contact(city.staff, **HARASSMENT)
    return Case.objects.get()


def test_supervisor_records_and_completes_a_follow_up(city, client_for):
    case = _case(city)
    client = client_for(city.supervisor)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "産業医・相談窓口への紹介" in page and "ケアを記録" in page
    client.post(
        f"/cases/{case.pk}/follow-ups/",
        {"staff": city.staff.pk, "kind": "referral", "due_date": "2030-01-31", "note": "本人の希望"},
    )
    follow_up = case.follow_ups.get()
    assert (follow_up.staff, follow_up.kind, follow_up.due_date) == (city.staff, "referral", dt.date(2030, 1, 31))
    assert follow_up.recorded_by == city.supervisor
    client.post(f"/cases/follow-ups/{follow_up.pk}/complete/")
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    with pytest.raises(ValidationError):
        follow_up_complete(actor=city.supervisor, follow_up=follow_up)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"cases.follow_up.recorded", "cases.follow_up.completed"} <= actions


def test_follow_up_rules(city, client_for):
    case = _case(city)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        follow_up_record(actor=city.staff, case=case, staff=city.staff, kind="interview", due_date=today)
    with pytest.raises(ValidationError) as caught:
        follow_up_record(actor=city.supervisor, case=case, staff=city.zeimu_staff, kind="nap", due_date=today)
    assert set(caught.value.message_dict) == {"staff", "kind"}
    assert "ケアを記録" not in client_for(city.staff).get(f"/cases/{case.pk}/").content.decode()
    response = client_for(city.staff).post(
        f"/cases/{case.pk}/follow-ups/", {"staff": city.staff.pk, "kind": "interview", "due_date": "2030-01-01"}
    )
    assert response.status_code == 403
    assert not case.follow_ups.exists()


def test_staff_care_figures(city):
    make_contact(city.staff, **HARASSMENT)
    make_contact(city.supervisor, other_staff=[city.staff], **HARASSMENT)  # attended
    make_contact(city.staff, ago=dt.timedelta(days=100), **HARASSMENT)  # too old
    make_contact(city.staff, harassment="unsure")  # not judged harassment
    make_contact(city.manager, **HARASSMENT)
    case = Case.objects.filter(contacts__staff=city.staff).first()
    today = timezone.localdate()
    follow_up_record(
        actor=city.supervisor,
        case=case,
        staff=city.staff,
        kind="interview",
        due_date=today - dt.timedelta(days=1),
        past_due_confirmed=True,
    )
    follow_up_record(
        actor=city.supervisor, case=case, staff=city.staff, kind="rest", due_date=today + dt.timedelta(days=7)
    )
    done = follow_up_record(
        actor=city.supervisor,
        case=case,
        staff=city.manager,
        kind="interview",
        due_date=today - dt.timedelta(days=3),
        past_due_confirmed=True,
    )
    follow_up_complete(actor=city.supervisor, follow_up=done)

    rows = {u.username: u for u in staff_care_list(user=city.manager)}
    assert set(rows) == {"staff1", "supervisor1", "manager1"}
    assert (rows["staff1"].harassment_contacts, rows["staff1"].open_follow_ups, rows["staff1"].overdue_follow_ups) == (
        2,
        2,
        1,
    )
    assert (rows["supervisor1"].harassment_contacts, rows["supervisor1"].overdue_follow_ups) == (1, 0)
    assert (rows["manager1"].harassment_contacts, rows["manager1"].overdue_follow_ups) == (1, 0)
    assert list(staff_care_list(user=city.manager))[0] == rows["staff1"]  # overdue first

    everyone = {u.username for u in staff_care_list(user=city.specialist)}
    assert {"staff1", "staff2", "specialist1"} <= everyone and "admin" not in everyone
    assert not staff_care_list(user=city.supervisor).exists()


def test_staff_care_page_access_and_overdue_highlight(city, client_for):
    case = _case(city)
    follow_up_record(
        actor=city.supervisor,
        case=case,
        staff=city.staff,
        kind="interview",
        due_date=timezone.localdate() - dt.timedelta(days=2),
        past_due_confirmed=True,
    )
    for user in (city.staff, city.supervisor, city.zeimu_staff, city.admin):
        assert client_for(user).get("/cases/staff-care/").status_code == 403
    for user in (city.manager, city.specialist):
        response = client_for(user).get("/cases/staff-care/")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'class="needs-attention"' in body and "1件 期限切れ" in body and "市民 一郎" in body
    assert "税務 花子" not in client_for(city.manager).get("/cases/staff-care/").content.decode()
    assert "/cases/staff-care/" in client_for(city.manager).get("/cases/").content.decode()
    assert "/cases/staff-care/" not in client_for(city.supervisor).get("/cases/").content.decode()
    page = client_for(city.supervisor).get(f"/cases/{case.pk}/").content.decode()
    assert "期限切れ" in page


def test_staff_care_list_runs_in_one_query(city, django_assert_num_queries):
    for _ in range(3):
        make_contact(city.staff, other_staff=[city.supervisor], **HARASSMENT)
    case = Case.objects.first()
    for user in (city.staff, city.supervisor, city.manager):
        follow_up_record(actor=city.manager, case=case, staff=user, kind="interview", due_date=timezone.localdate())
    with django_assert_num_queries(2):  # the visible departments, then the annotated staff
        rows = list(staff_care_list(user=city.specialist))
        assert [r.department.name for r in rows]


def test_care_follow_ups_are_seen_only_by_the_recorder_managers_the_specialist_section_and_the_person(city, client_for):
    """Issue 13 A8: a colleague of the same department (staff or another 上司) must
    not see that someone has a 面談, nor its note."""
    case = _case(city)
    colleague = city._user("staff3", "staff", city.shimin, "市民 三郎")
    other_supervisor = city._user("supervisor2", "supervisor", city.shimin, "市民 係長")
    follow_up = follow_up_record(
        actor=city.supervisor,
        case=case,
        staff=colleague,
        kind="interview",
        due_date=timezone.localdate() + dt.timedelta(days=7),
        note="睡眠不足の訴えあり",
    )
    expected = {
        city.supervisor: True,  # recorded it
        city.manager: True,
        city.specialist: True,
        colleague: True,  # it is about them
        city.staff: False,
        other_supervisor: False,
    }
    for user, sees in expected.items():
        client = client_for(user)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert ("睡眠不足の訴えあり" in page) is sees, user.username
        assert (f'id="follow-up-{follow_up.pk}"' in page) is sees, user.username
        assert "睡眠不足の訴えあり" not in client.get(f"/cases/{case.pk}/print/").content.decode()
        assert [f.pk for f in follow_up_list(user=user, case=case)] == ([follow_up.pk] if sees else [])
        assert may_see_follow_up(user, follow_up) is sees, user.username
    # Completing one you may not see is answered as if it did not exist, and changes nothing.
    assert client_for(other_supervisor).post(f"/cases/follow-ups/{follow_up.pk}/complete/").status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.done_at is None
    # The person it is about sees it but may not mark it done.
    assert client_for(colleague).post(f"/cases/follow-ups/{follow_up.pk}/complete/").status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.done_at is None
