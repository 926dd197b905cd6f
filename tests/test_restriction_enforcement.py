"""Applying an active response restriction (対応制限) to contacts: the clock's
shorter limit, the conditions shown, and a reason required outside them."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.services import MeasureTerms, RestrictionConditions, restriction_violations
from records.models import Contact
from records.services import ContactData, contact_create, contact_start, contact_update
from tests.factories import make_contact, make_resident

REASON_MESSAGE = "対応制限の条件外の対応です。理由を記入してください。"


@pytest.fixture
def resident(city):
    return make_resident(city.staff)


def restrict(city, resident, *, days_ago=30, ends_on=None, **conditions):
    reason_contact = make_contact(
        city.staff, resident=resident, summary="長時間の電話", ago=dt.timedelta(days=days_ago)
    )
    measure = services.measure_draft(
        actor=city.specialist,
        resident=resident,
        kind="restriction",
        terms=MeasureTerms(
            reasons="長時間の電話が続いたため",
            contacts=[reason_contact],
            lead_department=city.shimin,
            starts_on=timezone.localdate() - dt.timedelta(days=days_ago),
            ends_on=ends_on,
            conditions=RestrictionConditions(**conditions),
        ),
    )
    services.measure_submit(actor=city.specialist, measure=measure)
    services.measure_approve(actor=city.manager, measure=measure)
    from accounts.services import user_create

    second = user_create(actor=None, username=f"sp{measure.pk}", password=None, role="specialist", department=city.somu)
    services.measure_approve(actor=second, measure=measure)
    return services.measure_issue(actor=city.specialist, measure=measure)


def last_weekday_at(weekday: int, hour: int) -> dt.datetime:
    """The most recent past day with that weekday (0 = Monday), at that local hour."""
    now = timezone.localtime()
    day = now.date() - dt.timedelta(days=((now.weekday() - weekday) % 7) or 7)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def data(city, resident, *, staff=None, channel="counter", department=None, started_at=None, **extra):
    started = started_at or timezone.now() - dt.timedelta(hours=1)
    return ContactData(
        department=department or city.shimin,
        channel=channel,
        staff=staff or city.staff,
        started_at=started,
        ended_at=started + dt.timedelta(minutes=10),
        resident=resident,
        **extra,
    )


def test_live_clock_uses_the_restrictions_limit_and_shows_conditions(city, resident, client_for):
    restrict(city, resident, max_minutes=15, designated_staff=[city.supervisor])
    contact = contact_start(actor=city.staff, channel="counter", resident=resident)
    page = client_for(city.staff).get(reverse("records:contact_detail", args=[contact.pk]))
    seconds = settings.MAMORU_TIMER_SECONDS_PER_MINUTE
    assert page.context["limit_seconds"] == 15 * seconds
    assert page.context["warning_seconds"] == 10 * seconds
    html = page.content.decode()
    assert f'data-limit="{15 * seconds}"' in html
    assert "対応制限中: 対応制限" in html
    assert "1回の対応は15分以内" in html
    assert "対応は指定職員（市民 課長補佐）に限る" in html


def test_clock_keeps_the_packs_limit_without_a_restriction(city, resident, client_for):
    contact = contact_start(actor=city.staff, channel="counter", resident=resident)
    page = client_for(city.staff).get(reverse("records:contact_detail", args=[contact.pk]))
    assert page.context["limit_seconds"] == 30 * settings.MAMORU_TIMER_SECONDS_PER_MINUTE
    assert "対応制限中" not in page.content.decode()


def test_staff_not_designated_needs_a_reason(city, resident):
    restrict(city, resident, designated_staff=[city.supervisor])
    with pytest.raises(ValidationError) as error:
        contact_create(actor=city.staff, data=data(city, resident))
    assert error.value.message_dict["restriction_exception_reason"] == [REASON_MESSAGE]
    contact = contact_create(
        actor=city.staff, data=data(city, resident, restriction_exception_reason="指定職員が休暇のため")
    )
    assert contact.restriction_exception_reason == "指定職員が休暇のため"
    # the designated member of staff needs none
    contact_create(actor=city.supervisor, data=data(city, resident, staff=city.supervisor))
    assert Contact.objects.filter(resident=resident).count() == 3  # with the measure's reason contact


def test_written_only_accepts_mail_and_not_the_counter(city, resident):
    restrict(city, resident, written_only=True, written_channels=["mail", "letter"])
    assert restriction_violations(
        resident=resident, department=city.shimin, channel="counter", staff=city.staff, started_at=timezone.now()
    )
    assert not restriction_violations(
        resident=resident, department=city.shimin, channel="mail", staff=city.staff, started_at=timezone.now()
    )
    contact_create(actor=city.staff, data=data(city, resident, channel="mail"))
    with pytest.raises(ValidationError):
        contact_create(actor=city.staff, data=data(city, resident, channel="phone"))


def test_hours_and_weekdays(city, resident):
    restrict(
        city,
        resident,
        allowed_weekdays=[0, 1, 2, 3, 4],
        allowed_from=dt.time(9, 0),
        allowed_until=dt.time(12, 0),
    )
    inside = last_weekday_at(2, 10)  # Wednesday 10:00
    contact_create(actor=city.staff, data=data(city, resident, started_at=inside))
    for outside in (last_weekday_at(2, 14), last_weekday_at(5, 10)):  # Wednesday afternoon, Saturday morning
        with pytest.raises(ValidationError) as error:
            contact_create(actor=city.staff, data=data(city, resident, started_at=outside))
        assert "restriction_exception_reason" in error.value.message_dict


def test_another_departments_counter_needs_a_reason(city, resident):
    restrict(city, resident, counter_department=city.shimin)
    with pytest.raises(ValidationError):
        contact_create(actor=city.zeimu_staff, data=data(city, resident, staff=city.zeimu_staff, department=city.zeimu))
    contact_create(actor=city.staff, data=data(city, resident))


def test_no_enforcement_after_withdrawal(city, resident):
    measure = restrict(city, resident, designated_staff=[city.supervisor])
    services.measure_withdraw(actor=city.specialist, measure=measure, reason="改善が見られたため")
    contact_create(actor=city.staff, data=data(city, resident))


def test_no_enforcement_after_the_end_date(city, resident):
    ends_on = timezone.localdate() - dt.timedelta(days=2)
    restrict(city, resident, days_ago=30, ends_on=ends_on, designated_staff=[city.supervisor])
    contact_create(actor=city.staff, data=data(city, resident))
    # a contact written up later for a day inside the period still needs the reason
    with pytest.raises(ValidationError):
        contact_create(actor=city.staff, data=data(city, resident, started_at=timezone.now() - dt.timedelta(days=10)))


def test_saving_a_live_contact_form_asks_for_the_reason(city, resident, client_for):
    restrict(city, resident, designated_staff=[city.supervisor], max_minutes=20)
    contact = contact_start(actor=city.staff, channel="counter", resident=resident)
    client = client_for(city.staff)
    form = client.get(reverse("records:contact_edit", args=[contact.pk])).content.decode()
    assert "対応制限中: 対応制限" in form and 'name="restriction_exception_reason"' in form
    started = timezone.localtime(contact.started_at).strftime("%Y-%m-%dT%H:%M")
    post = {
        "channel": "counter",
        "department": city.shimin.pk,
        "staff": city.staff.pk,
        "resident": resident.pk,
        "started_at": started,
        "summary": "来庁",
        "harassment": "no",
        "version": contact.version,
    }
    response = client.post(reverse("records:contact_edit", args=[contact.pk]), post)
    assert response.status_code == 200
    assert REASON_MESSAGE in response.content.decode()
    contact.refresh_from_db()
    assert contact.summary == ""
    response = client.post(
        reverse("records:contact_edit", args=[contact.pk]),
        {**post, "restriction_exception_reason": "指定職員が会議中で緊急の届出のため"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.restriction_exception_reason == "指定職員が会議中で緊急の届出のため"


def test_contact_update_checks_the_restriction_too(city, resident):
    contact = make_contact(city.staff, resident=resident, ago=dt.timedelta(minutes=30))
    restrict(city, resident, days_ago=1, designated_staff=[city.supervisor])
    data_now = ContactData.from_contact(contact)
    data_now.summary = "追記"
    with pytest.raises(ValidationError):
        contact_update(actor=city.staff, contact=contact, data=data_now)


def test_active_list_is_cheap(city, resident, django_assert_max_num_queries):
    restrict(city, resident, designated_staff=[city.supervisor], max_minutes=15)
    from measures.selectors import measure_active_list

    with django_assert_max_num_queries(2):
        measures = measure_active_list(resident=resident)
        lines = [line for m in measures for line in m.conditions_text()]
    assert "1回の対応は15分以内" in lines


def test_after_the_fact_form_shows_the_restriction_and_refuses_without_reason(city, resident, client_for):
    restrict(city, resident, written_only=True, written_channels=["mail", "letter"])
    client = client_for(city.staff)
    page = client.get(reverse("records:contact_new") + f"?resident={resident.pk}").content.decode()
    assert "対応制限中: 対応制限" in page and "書面でのやり取りに限る（メール・文書）" in page
    now = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    post = {
        "channel": "phone",
        "department": city.shimin.pk,
        "staff": city.staff.pk,
        "resident": resident.pk,
        "started_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (now + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "summary": "電話での問い合わせ",
        "harassment": "no",
    }
    response = client.post(reverse("records:contact_new"), post)
    assert response.status_code == 200 and REASON_MESSAGE in response.content.decode()
    assert not Contact.objects.filter(summary="電話での問い合わせ").exists()
    response = client.post(reverse("records:contact_new"), {**post, "channel": "mail"})
    assert response.status_code == 302
    assert Contact.objects.filter(summary="電話での問い合わせ", channel="mail").exists()


def test_residents_picked_on_the_form_carry_whether_a_restriction_is_issued(city, resident, django_assert_num_queries):
    """The contact form loads the resident with the flag, so the check on save
    costs no query for a resident without a restriction, and still finds one
    where it is issued."""
    from measures.selectors import measure_restriction_for, resident_list_flagged

    other = make_resident(city.staff, name="別人 花子")
    measure = restrict(city, resident, written_only=True, written_channels=["mail"])
    flagged = {r.pk: r for r in resident_list_flagged().filter(pk__in=[resident.pk, other.pk])}
    assert flagged[resident.pk].has_issued_restriction and not flagged[other.pk].has_issued_restriction
    with django_assert_num_queries(0):
        assert measure_restriction_for(resident=flagged[other.pk]) is None
    assert measure_restriction_for(resident=flagged[resident.pk]) == measure
    services.measure_withdraw(actor=city.specialist, measure=measure, reason="改善が見られたため")
    assert not resident_list_flagged().get(pk=resident.pk).has_issued_restriction
