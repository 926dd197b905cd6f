"""Frictions found walking every role (issue 12, 2.8): the next step of a new case,
the 概要 of a case opened by a backup call, step cards with headings, the staff-care
page, past due dates, marking all notifications read, a refused stale edit, the
place of a phone contact, and one edit button on the contact page."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from backup_calls.services import backup_call_create
from cases.models import Case
from cases.selectors import case_step_buttons
from cases.services import follow_up_record
from notifications.models import Notification
from records.services import ContactData, contact_end, contact_start, contact_update

from .factories import make_contact, make_resident

HARASSMENT = dict(harassment="yes", categories=["verbal_abuse"])


def _case(city, **fields):
    return Case.objects.get(contacts=make_contact(city.staff, **{**HARASSMENT, **fields}))


# --- cases ----------------------------------------------------------------------------------------


def test_a_new_case_highlights_the_first_step(city, client_for):
    case = _case(city)
    assert [b.step.code for b in case_step_buttons(case=case) if b.suggested] == ["several_staff"]
    page = client_for(city.staff).get(f"/cases/{case.pk}/").content.decode()
    assert page.count("case-step suggested") == 1
    assert re.search(r'case-step suggested">.*?<h3 class="case-step-name">複数職員で対応', page, re.S)


def test_a_case_opened_by_a_backup_call_has_a_summary(city):
    resident = make_resident(city.staff)
    live = contact_start(actor=city.staff, channel="counter", resident=resident)
    backup_call_create(actor=city.staff, contact=live, reason="大声で威嚇されている")
    summary = Case.objects.get().summary
    assert summary.startswith("応援要請（大声で威嚇されている）")
    assert "窓口での対応" in summary and "山田 太郎" in summary

    other = contact_start(actor=city.staff, channel="phone")
    backup_call_create(actor=city.staff, contact=other)
    assert Case.objects.get(contacts=other).summary.startswith("応援要請：")


def test_every_step_card_has_a_heading(city, client_for):
    page = client_for(city.staff).get(f"/cases/{_case(city).pk}/").content.decode()
    for name in ("弁護士への相談", "証拠の警察への提出", "退去命令"):
        assert f'<h3 class="case-step-name">{name}' in page, name


def test_staff_care_highlights_only_the_overdue_cell_and_links_to_it(city, client_for):
    case = _case(city)
    follow_up = follow_up_record(
        actor=city.supervisor,
        case=case,
        staff=city.staff,
        kind="interview",
        due_date=timezone.localdate() - dt.timedelta(days=2),
        past_due_confirmed=True,
    )
    page = client_for(city.manager).get("/cases/staff-care/").content.decode()
    assert page.count("needs-attention") == 1
    assert 'class="overdue"' not in page  # no row painted in every cell
    assert f'href="/cases/{case.pk}/#follow-up-{follow_up.pk}"' in page
    detail = client_for(city.manager).get(f"/cases/{case.pk}/").content.decode()
    assert f'id="follow-up-{follow_up.pk}"' in detail


def test_a_past_due_date_needs_confirmation(city, client_for):
    case = _case(city)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="期限が過去の日付"):
        follow_up_record(actor=city.supervisor, case=case, staff=city.staff, kind="interview", due_date=yesterday)
    client = client_for(city.supervisor)
    data = {"staff": city.staff.pk, "kind": "interview", "due_date": yesterday.isoformat()}
    page = client.post(f"/cases/{case.pk}/follow-ups/", data, follow=True).content.decode()
    assert "期限が過去の日付" in page and "期限が過去の日付でも記録する" in page
    assert not case.follow_ups.exists()
    client.post(f"/cases/{case.pk}/follow-ups/", {**data, "past_due_confirmed": "on"})
    assert case.follow_ups.get().due_date == yesterday


# --- notifications --------------------------------------------------------------------------------


def test_all_notifications_can_be_marked_read(city, client_for):
    Notification.objects.bulk_create(Notification(user=city.supervisor, text=f"お知らせ {i}") for i in range(3))
    Notification.objects.create(user=city.manager, text="課長へのお知らせ")
    client = client_for(city.supervisor)
    page = client.get("/notifications/").content.decode()
    assert "すべて既読にする" in page and 'action="/notifications/read-all/"' in page
    assert client.get("/notifications/read-all/").status_code == 405
    response = client.post("/notifications/read-all/", follow=True)
    assert "3件のお知らせを既読にしました。" in response.content.decode()
    assert not Notification.objects.filter(user=city.supervisor, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=city.manager, read_at__isnull=True).exists()
    assert AuditEntry.objects.get(action="notifications.notification.all_read").after == {"count": 3}
    assert "すべて既読にする" not in client.get("/notifications/").content.decode()


# --- contacts -------------------------------------------------------------------------------------


def _edit_form(client, contact):
    form = client.get(f"/contacts/{contact.pk}/edit/").context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = value
        elif hasattr(value, "pk"):
            data[name] = value.pk
        elif isinstance(value, dt.datetime):
            data[name] = value.strftime("%Y-%m-%dT%H:%M")
        else:
            data[name] = value
    return data


def test_a_refused_stale_edit_shows_what_changed_and_keeps_the_input(city, client_for):
    contact = make_contact(city.staff, summary="最初の件名", outcome="説明した")
    client = client_for(city.staff)
    mine = _edit_form(client, contact)
    theirs = ContactData.from_contact(contact)
    theirs.outcome = "上司が追記した結果"
    contact_update(actor=city.supervisor, contact=contact, data=theirs, expected_version=1)

    mine["summary"] = "私が直した件名"
    page = client.post(f"/contacts/{contact.pk}/edit/", mine).content.decode()
    assert "赤字の項目を確認してください" not in page
    assert "市民 課長補佐さんがこの対応記録を更新しました" in page
    conflict = re.search(r'class="form-errors version-conflict".*?</div>', page, re.S).group(0)
    assert "結果" in conflict and "上司が追記した結果" in conflict and "件名" not in conflict
    assert 'value="私が直した件名"' in page
    assert 'name="version" value="2"' in page
    contact.refresh_from_db()
    assert contact.summary == "最初の件名"

    mine["version"] = 2  # saving again, having read the change
    client.post(f"/contacts/{contact.pk}/edit/", mine)
    contact.refresh_from_db()
    assert contact.summary == "私が直した件名" and contact.version == 3


def test_a_phone_contact_takes_its_place_from_the_extension_not_the_counter(city):
    city.staff.workplace = "1番窓口"
    city.staff.save(update_fields=["workplace"])
    assert contact_start(actor=city.staff, channel="phone").place == ""
    assert contact_start(actor=city.staff, channel="counter").place == "1番窓口"
    city.supervisor.workplace = "内線2101"
    city.supervisor.save(update_fields=["workplace"])
    assert contact_start(actor=city.supervisor, channel="phone").place == "内線2101"
    assert contact_start(actor=city.supervisor, channel="counter").place == ""
    assert contact_start(actor=city.supervisor, channel="mail").place == ""


def test_the_contact_page_has_one_edit_button_labelled_by_state(city, client_for):
    contact = contact_start(actor=city.staff, channel="counter")
    client = client_for(city.staff)
    edit = f'href="/contacts/{contact.pk}/edit/'

    live = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert live.count(edit) == 1 and "記録を入力する" in live and ">編集<" not in live
    contact_end(actor=city.staff, contact=contact)
    ended = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert ended.count(edit) == 1 and "判断を記入する" in ended and "記録を入力する" not in ended
    contact.refresh_from_db()
    data = ContactData.from_contact(contact)
    data.harassment = "no"
    contact_update(actor=city.staff, contact=contact, data=data)
    judged = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert judged.count(edit) == 1 and ">編集<" in judged


def test_case_next_states_is_a_selector():
    import cases.selectors
    import cases.services

    assert hasattr(cases.selectors, "case_next_states")
    assert not hasattr(cases.services, "case_next_states")
