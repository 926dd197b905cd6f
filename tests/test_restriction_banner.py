"""The live banner says which restriction condition the contact breaks (issue
12, defect 2.6): not the designated officer, outside the allowed days or
hours, not the allowed counter or channel, over the time limit — at the start
of the contact and while it is live."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.selectors import restriction_breaches
from records.models import Contact
from records.services import contact_start
from tests.factories import make_resident
from tests.test_restriction_enforcement import restrict


@pytest.fixture
def resident(city):
    return make_resident(city.staff)


def live_page(client, contact) -> str:
    return client.get(reverse("records:contact_detail", args=[contact.pk])).content.decode()


def breaches_now(client, contact) -> str:
    response = client.get(reverse("measures:contact_restriction_breaches", args=[contact.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_not_the_designated_officer(city, resident, client_for):
    restrict(city, resident, designated_staff=[city.supervisor])
    contact = contact_start(actor=city.staff, channel="counter", resident=resident)
    html = live_page(client_for(city.staff), contact)
    assert "この対応は対応制限の条件の外です" in html
    assert "対応している市民 一郎さんは指定職員ではありません（指定職員: 市民 課長補佐）。" in html
    # the record form of the live contact says it once, beside its clock
    form = client_for(city.staff).get(reverse("records:contact_edit", args=[contact.pk])).content.decode()
    assert form.count("さんは指定職員ではありません") == 1
    # the designated officer sees no breach
    own = contact_start(actor=city.supervisor, channel="counter", resident=resident)
    assert "条件の外" not in live_page(client_for(city.supervisor), own)


def test_outside_the_allowed_hours(city, resident, client_for):
    now = timezone.localtime()
    start, end = (dt.time(13, 0), dt.time(14, 0)) if now.hour < 12 else (dt.time(8, 0), dt.time(9, 0))
    restrict(city, resident, allowed_from=start, allowed_until=end)
    contact = contact_start(actor=city.staff, channel="counter", resident=resident)
    html = live_page(client_for(city.staff), contact)
    started = timezone.localtime(contact.started_at)
    assert (
        f"開始した{started.hour}:{started.minute:02d}は対応時間帯（{start.hour}:00〜{end.hour}:00）の外です。" in html
    )


def test_outside_the_allowed_days(city, resident, client_for):
    today = timezone.localtime().weekday()
    restrict(city, resident, allowed_weekdays=[d for d in range(7) if d != today])
    contact = contact_start(actor=city.staff, channel="counter", resident=resident)
    day = "月火水木金土日"[today]
    assert f"{day}曜日は対応する曜日ではありません" in live_page(client_for(city.staff), contact)


def test_not_the_allowed_counter(city, resident, client_for):
    restrict(city, resident, counter_department=city.zeimu)
    contact = contact_start(actor=city.staff, channel="counter", resident=resident)
    assert "市民課での対応です。対応する窓口は税務課に限られています。" in live_page(client_for(city.staff), contact)


def test_not_the_allowed_channel(city, resident, client_for):
    restrict(city, resident, written_only=True, written_channels=["mail", "letter"])
    contact = contact_start(actor=city.staff, channel="phone", resident=resident)
    html = live_page(client_for(city.staff), contact)
    assert "書面でのやり取りに限られています。電話での対応は条件の外です（認める方法: メール・文書）。" in html


def test_over_the_time_limit_while_live(city, resident, client_for):
    restrict(city, resident, max_minutes=15)
    contact = contact_start(actor=city.staff, channel="counter", resident=resident)
    client = client_for(city.staff)
    html = live_page(client, contact)
    assert "条件の外" not in html
    assert reverse("measures:contact_restriction_breaches", args=[contact.pk]) in html  # the notice asks again
    assert "上限" not in breaches_now(client, contact)
    Contact.objects.filter(pk=contact.pk).update(started_at=timezone.now() - dt.timedelta(minutes=16))
    assert "1回の対応時間の上限（15分）を超えています。" in breaches_now(client, contact)
    assert "1回の対応時間の上限（15分）を超えています。" in live_page(client, contact)


def test_the_allowed_hours_end_while_live(city, resident):
    measure = restrict(city, resident, allowed_from=dt.time(9, 0), allowed_until=dt.time(12, 0))
    day = timezone.localdate()
    started = timezone.make_aware(dt.datetime.combine(day, dt.time(11, 50)))
    found = restriction_breaches(
        measure, department=city.shimin, channel="counter", staff=city.staff, started_at=started
    )
    assert found == []
    later = restriction_breaches(
        measure,
        department=city.shimin,
        channel="counter",
        staff=city.staff,
        started_at=started,
        now=started + dt.timedelta(minutes=15),
    )
    assert later == ["対応時間帯（〜12:00）を過ぎています。"]


def test_breaches_are_only_for_who_may_read_the_contact(city, resident, client_for):
    restrict(city, resident, designated_staff=[city.supervisor])
    contact = contact_start(actor=city.staff, channel="counter", resident=resident)
    response = client_for(city.zeimu_staff).get(reverse("measures:contact_restriction_breaches", args=[contact.pk]))
    assert response.status_code == 404
