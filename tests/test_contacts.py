"""Contacts: the live contact (start → end), the record form, revisions,
deletion, and every kind of bad input leaving nothing half-saved."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from records.models import Contact, ContactRevision
from records.services import ContactData, contact_delete, contact_end, contact_start, contact_update

from .factories import make_contact, make_resident


def _form(city, **overrides):
    data = {
        "channel": "counter",
        "department": city.shimin.pk,
        "staff": city.staff.pk,
        "started_at": "2025-12-19T10:00",
        "ended_at": "2025-12-19T10:45",
        "summary": "住民票の交付について",
        "request_content": "住民票の交付手数料が高いとの苦情",
        "words_and_behaviour": "「税金泥棒」「土下座しろ」と大声で繰り返した。",
        "staff_response": "手数料は条例で定められている旨を説明した。",
        "outcome": "納得されず退庁。",
        "harassment": "yes",
        "categories": ["verbal_abuse", "excessive_demand"],
        "content_unreasonable": "yes",
        "content_reason": "土下座の要求は社会通念上相当でない",
        "manner_inappropriate": "yes",
        "manner_reason": "大声での罵声",
        "harms": ["dignity", "obstruction"],
        "harm_reason": "窓口業務が30分停止した",
    }
    data.update(overrides)
    return data


def test_start_runs_from_server_time_and_end_computes_duration(city):
    before = timezone.now()
    contact = contact_start(actor=city.staff, channel="phone")
    assert contact.is_live and contact.started_at >= before
    assert contact.department == city.shimin and contact.staff == city.staff
    ended = contact_end(
        actor=city.staff, contact=contact, ended_at=contact.started_at + dt.timedelta(minutes=31, seconds=5)
    )
    assert ended.duration_seconds == 31 * 60 + 5
    assert ended.version == 2
    assert [a for a in AuditEntry.objects.values_list("action", flat=True)][:2] == [
        "records.contact.ended",
        "records.contact.started",
    ]


def test_two_live_contacts_at_once_for_one_user(city, client_for):
    first = contact_start(actor=city.staff, channel="phone")
    second = contact_start(actor=city.staff, channel="phone")
    page = client_for(city.staff).get("/")
    assert page.context["live_contacts"].count() == 2
    assert {first.pk, second.pk} == {c.pk for c in page.context["live_contacts"]}


def test_ending_twice_is_refused_with_a_japanese_message(city, client_for):
    contact = contact_start(actor=city.staff, channel="counter")
    contact_end(actor=city.staff, contact=contact)
    with pytest.raises(ValidationError, match="既に終了"):
        contact_end(actor=city.staff, contact=contact)
    response = client_for(city.staff).post(f"/contacts/{contact.pk}/end/", follow=True)
    assert "この対応は既に終了しています。" in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).version == 2


def test_end_before_start_is_refused(city):
    contact = contact_start(actor=city.staff, channel="counter")
    with pytest.raises(ValidationError, match="開始日時より前"):
        contact_end(actor=city.staff, contact=contact, ended_at=contact.started_at - dt.timedelta(minutes=1))
    contact.refresh_from_db()
    assert contact.ended_at is None


def test_start_button_from_any_page(city, client_for):
    client = client_for(city.staff)
    response = client.post("/contacts/start/", {"channel": "phone"})
    contact = Contact.objects.get()
    assert response.status_code == 302 and response.url == f"/contacts/{contact.pk}/"
    page = client.get(response.url).content.decode()
    assert "data-clock" in page and contact.started_at.isoformat() in page
    assert 'data-limit="1800.0"' in page and 'data-warning="1500.0"' in page
    assert "原則として30分以内" in page


def test_clock_endpoint_reports_server_elapsed_time(city, client_for):
    contact = contact_start(actor=city.staff, channel="counter")
    Contact.objects.filter(pk=contact.pk).update(started_at=timezone.now() - dt.timedelta(minutes=26))
    data = client_for(city.staff).get(f"/contacts/{contact.pk}/clock/").json()
    assert 26 * 60 <= data["elapsed_seconds"] < 26 * 60 + 5
    assert data["ended_at"] is None


def test_record_form_saves_a_harassment_record_with_reasons(city, client_for):
    client = client_for(city.staff)
    response = client.post("/contacts/new/", _form(city, other_staff=[city.supervisor.pk]))
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert contact.duration_seconds == 45 * 60
    assert sorted(contact.categories.values_list("code", flat=True)) == ["excessive_demand", "verbal_abuse"]
    assert list(contact.other_staff.all()) == [city.supervisor]
    assert contact.harms == ["dignity", "obstruction"]
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    for text in ("暴言", "過度の要求", "土下座の要求は社会通念上相当でない", "窓口業務が30分停止した", "45分00秒"):
        assert text in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ended_at": "2025-12-19T09:00"}, "ended_at", "終了日時が開始日時より前"),
        ({"started_at": ""}, "started_at", "必須"),
        ({"started_at": "2025-13-45T99:00"}, "started_at", "日時を正しく"),
        ({"categories": ["verbal_abuse", "rudeness"]}, "categories", "rudeness"),
        ({"words_and_behaviour": "あ" * 10001}, "words_and_behaviour", "10000"),
        ({"harassment": "yes", "categories": []}, "categories", "類型を1つ以上"),
        ({"channel": "fax"}, "channel", "fax"),
    ],
)
def test_bad_input_gets_a_japanese_message_and_saves_nothing(city, client_for, overrides, field, message):
    response = client_for(city.staff).post("/contacts/new/", _form(city, **overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    assert "入力内容に誤りがあります" in response.content.decode()
    assert Contact.objects.count() == 0 and ContactRevision.objects.count() == 0


def test_forged_department_in_post_is_refused(city, client_for):
    response = client_for(city.staff).post("/contacts/new/", _form(city, department=city.zeimu.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["department"]
    assert Contact.objects.count() == 0


def _signed_in(user):
    """The user as a request sees them: loaded by the session's backend."""
    from accounts.backends import UserBackend

    return UserBackend().get_user(user.pk)


def test_the_signed_in_user_and_their_department_need_no_query(city, django_assert_num_queries):
    from records.forms import ContactForm

    with django_assert_num_queries(1):  # the user and their department together
        staff = _signed_in(city.staff)
        assert staff.department.name == "市民課"
    form = ContactForm(user=staff)
    with django_assert_num_queries(0):
        assert form.fields["department"].clean(str(city.shimin.pk)) == city.shimin
        assert form.fields["staff"].clean(str(city.staff.pk)) == city.staff
    with pytest.raises(ValidationError):  # anything else is looked up in the queryset, as before
        form.fields["department"].clean(str(city.zeimu.pk))


def test_the_form_lists_and_checks_other_staff_against_the_list_rule(city):
    """The staff and department lists are built when read: to show the
    choices, or to check an answer other than the signed-in user."""
    from records.forms import ContactForm

    form = ContactForm(user=_signed_in(city.staff))
    listed = form.as_p()
    assert "市民 課長補佐（市民課）" in listed and "税務 花子" not in listed
    assert [label for _value, label in form.fields["department"].choices][1:] == ["市民課"]
    posted = ContactForm(
        _form(city, staff=city.supervisor.pk, other_staff=[city.manager.pk], harassment="no", categories=[]),
        user=_signed_in(city.staff),
    )
    assert posted.is_valid(), posted.errors
    assert posted.cleaned_data["staff"] == city.supervisor and posted.cleaned_data["other_staff"] == [city.manager]
    refused = ContactForm(_form(city, staff=city.zeimu_staff.pk, other_staff=[city.zeimu_staff.pk]), user=city.staff)
    assert not refused.is_valid() and {"staff", "other_staff"} <= set(refused.errors)


def test_a_department_taken_without_query_follows_the_list_rule(city):
    """The specialist section sees active departments only: its own, once
    closed, is looked up (and refused) like any other."""
    from records.forms import ContactForm

    specialist = _signed_in(city.specialist)
    form = ContactForm(user=specialist)
    assert form.fields["department"].clean(str(city.zeimu.pk)) == city.zeimu
    assert form.fields["department"].clean(str(city.somu.pk)) == city.somu
    city.somu.is_active = False
    city.somu.save()
    form = ContactForm(user=_signed_in(city.specialist))
    with pytest.raises(ValidationError):
        form.fields["department"].clean(str(city.somu.pk))


def test_forged_department_through_the_service_is_refused(city):
    now = timezone.now()
    data = ContactData(department=city.zeimu, channel="counter", staff=city.staff, started_at=now)
    with pytest.raises(ValidationError) as caught:
        contact_start(actor=city.staff, channel="counter", department=city.zeimu)
    assert "担当課" in caught.value.message_dict["department"][0]
    assert data.department == city.zeimu and Contact.objects.count() == 0


def test_every_edit_keeps_the_previous_version(city, client_for):
    contact = make_contact(city.staff, summary="最初の件名", words_and_behaviour="「話にならない」")
    client = client_for(city.supervisor)
    form = client.get(f"/contacts/{contact.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        department=city.shimin.pk,
        staff=city.staff.pk,
        other_staff=[],
        resident="",
        started_at=timezone.localtime(contact.started_at).strftime("%Y-%m-%dT%H:%M"),
        ended_at=timezone.localtime(contact.ended_at).strftime("%Y-%m-%dT%H:%M"),
        summary="訂正後の件名",
    )
    response = client.post(f"/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    revisions = list(contact.revisions.order_by("version"))
    assert [r.version for r in revisions] == [1, 2]
    assert revisions[0].snapshot["summary"] == "最初の件名"
    assert revisions[1].snapshot["summary"] == "訂正後の件名"
    assert revisions[1].changed_fields == ["summary"]
    assert revisions[1].changed_by == city.supervisor
    history = client.get(f"/contacts/{contact.pk}/history/").content.decode()
    assert "最初の件名" in history and "訂正後の件名" in history and "第2版" in history
    entry = AuditEntry.objects.filter(action="records.contact.updated").get()
    assert entry.before == {"summary": "最初の件名"} and entry.after == {"summary": "訂正後の件名"}


def test_a_stale_form_does_not_overwrite_a_newer_edit(city):
    contact = make_contact(city.staff, summary="A")
    data = ContactData.from_contact(contact)
    data.summary = "B"
    contact_update(actor=city.staff, contact=contact, data=data, expected_version=1)
    data.summary = "C"
    with pytest.raises(ValidationError, match="他の職員が更新"):
        contact_update(actor=city.supervisor, contact=contact, data=data, expected_version=1)
    contact.refresh_from_db()
    assert contact.summary == "B" and contact.version == 2


def test_delete_needs_a_supervisor_and_a_reason_and_keeps_the_record(city, client_for):
    contact = make_contact(city.staff)
    with pytest.raises(PermissionDenied):
        contact_delete(actor=city.staff, contact=contact, reason="誤入力")
    response = client_for(city.supervisor).post(f"/contacts/{contact.pk}/delete/", {"reason": ""})
    assert response.status_code == 200 and not Contact.objects.get().deleted_at
    response = client_for(city.supervisor).post(f"/contacts/{contact.pk}/delete/", {"reason": "二重登録"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.deleted_at and contact.deletion_reason == "二重登録"
    assert client_for(city.supervisor).get(f"/contacts/{contact.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="records.contact.deleted", object_id=str(contact.pk)).exists()


def test_print_view_is_a_contact_record_sheet(city, client_for):
    contact = make_contact(city.staff, summary="印刷テスト", words_and_behaviour="「責任者を出せ」")
    page = client_for(city.staff).get(f"/contacts/{contact.pk}/print/").content.decode()
    assert "対応記録票" in page and "印刷テスト" in page and "「責任者を出せ」" in page
    assert "print.css" in page
    assert AuditEntry.objects.filter(action="records.contact.printed").exists()


def test_resident_and_contact_views_are_logged_with_address(city, client_for):
    resident = make_resident(city.staff)
    contact = make_contact(city.staff, resident=resident)
    client = client_for(city.staff)
    client.get(f"/contacts/{contact.pk}/", REMOTE_ADDR="10.1.2.3")
    client.get(f"/residents/{resident.pk}/", REMOTE_ADDR="10.1.2.4")
    viewed = AuditEntry.objects.get(action="records.contact.viewed")
    assert (viewed.actor, viewed.address, viewed.object_id) == (city.staff, "10.1.2.3", str(contact.pk))
    assert AuditEntry.objects.get(action="people.resident.viewed").address == "10.1.2.4"


def test_the_filtered_list_index_survives_the_table_rebuilds_of_later_migrations(db):
    """On SQLite, adding columns rebuilds the table; an index the migration
    state does not know is lost then. The list's index is in the state."""
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "records_contact")
    assert indexes["contact_dept_judgement_started"]["columns"] == ["department_id", "harassment", "started_at"]


def test_each_contact_write_maintains_no_index_twice(db):
    """Every index costs each saved contact a write. A column that leads a
    composite index has no index of its own, and the import key's uniqueness
    brings no LIKE index with it on PostgreSQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "records_contact")
    indexed = [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]
    leading = [columns[0] for columns in indexed if len(columns) > 1]
    assert {"department_id", "resident_id", "staff_id"} <= set(leading)
    assert not [columns for columns in indexed if len(columns) == 1 and columns[0] in leading]
    assert indexed.count(["import_key"]) == 1 and ["harassment"] not in indexed


# --- The definition check's rules hold in the service, for every way in (issue 12) -----------------


def _service_data(city, **changes):
    values = dict(
        department=city.shimin,
        channel="counter",
        staff=city.staff,
        started_at=timezone.now() - dt.timedelta(hours=1),
        ended_at=timezone.now() - dt.timedelta(minutes=20),
        summary="住民票の交付について",
        harassment="yes",
        categories=["verbal_abuse"],
        content_unreasonable="yes",
        content_reason="土下座の要求は社会通念上相当でない",
        manner_inappropriate="yes",
        manner_reason="大声での罵声",
        harms=["dignity"],
        harm_reason="窓口業務が30分停止した",
    )
    values.update(changes)
    return ContactData(**values)


DEFINITION_RULES = [
    ({"content_reason": ""}, "content_reason", "「はい」とした理由を記入してください。"),
    ({"manner_reason": "   "}, "manner_reason", "「はい」とした理由を記入してください。"),
    ({"harm_reason": ""}, "harm_reason", "被害の内容を記入してください。"),
    (
        {"content_unreasonable": "no", "manner_inappropriate": "no"},
        "harassment",
        "(a)・(b)がともに「いいえ」の場合、基本方針のカスタマーハラスメントには該当しません。",
    ),
    ({"restriction_exception_reason": "あ" * 10001}, "restriction_exception_reason", "10000"),
]


@pytest.mark.parametrize(("changes", "field", "message"), DEFINITION_RULES)
def test_the_service_refuses_what_the_form_refuses(city, changes, field, message):
    from records.services import contact_create

    with pytest.raises(ValidationError) as caught:
        contact_create(actor=city.staff, data=_service_data(city, **changes))
    assert message in " ".join(caught.value.message_dict[field])
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(("changes", "field", "message"), DEFINITION_RULES)
def test_the_form_shows_the_service_rules_on_their_fields(city, client_for, changes, field, message):
    form = _form(city, **{k: v for k, v in changes.items() if k != "harms"})
    response = client_for(city.staff).post("/contacts/new/", form)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, [])), response.context["form"].errors
    assert Contact.objects.count() == 0


def test_an_update_is_held_to_the_same_rules(city):
    contact = make_contact(city.staff, summary="最初の件名")
    with pytest.raises(ValidationError) as caught:
        contact_update(actor=city.staff, contact=contact, data=_service_data(city, manner_reason=""))
    assert "manner_reason" in caught.value.message_dict
    contact.refresh_from_db()
    assert contact.summary == "最初の件名" and contact.version == 1


def test_an_undecided_or_unsure_judgement_needs_no_definition_answers(city):
    from records.services import contact_create

    contact = contact_create(
        actor=city.staff,
        data=_service_data(
            city, harassment="unsure", categories=[], content_unreasonable="no", manner_inappropriate="no"
        ),
    )
    assert contact.harassment == "unsure"
