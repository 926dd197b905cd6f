"""Incident cases (事案): opening and joining, the state machine, the timeline of
steps with counts and police details, notifications after commit, the open-cases
page and the scope of every page."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from cases.models import Case, CaseEvent
from cases.selectors import case_open_list
from cases.services import (
    case_assign_handler,
    case_change_state,
    case_open_or_join,
    case_record_step,
)
from notifications.models import Notification
from records.services import ContactData, contact_update

from .factories import make_contact, make_resident

HARASSMENT = dict(harassment="yes", categories=["verbal_abuse"])


def _harassment_contact(actor, **fields):
    return make_contact(actor, **{**HARASSMENT, **fields})


def _case_at(case, actor, *states):
    for state in states:
        case = case_change_state(actor=actor, case=case, state=state, reason="経過のまとめ")
    return case


# --- opening and joining -------------------------------------------------------------------------


def test_harassment_judgement_opens_a_case(city):
    resident = make_resident(city.staff)
    contact = _harassment_contact(city.staff, resident=resident, summary="土下座の要求")
    case = Case.objects.get()
    assert case.state == "reported"
    assert case.department == city.shimin
    assert case.resident == resident
    assert case.reported_by == city.staff
    assert case.summary == "土下座の要求"
    assert list(case.contacts.all()) == [contact]
    event = case.events.get()
    assert event.kind == "case.opened" and event.details["reason"] == "harassment"
    assert AuditEntry.objects.filter(action="cases.case.opened", object_id=str(case.pk)).exists()


def test_contact_not_judged_harassment_opens_no_case(city):
    make_contact(city.staff, harassment="unsure")
    make_contact(city.staff)
    assert not Case.objects.exists()


def test_correcting_a_contact_to_harassment_opens_a_case(city):
    contact = make_contact(city.staff)
    data = ContactData.from_contact(contact)
    data.harassment, data.categories = "yes", ["threat"]
    contact_update(actor=city.staff, contact=contact, data=data)
    assert Case.objects.get().contacts.get() == contact


def test_same_resident_joins_the_open_case_and_another_resident_opens_a_new_one(city):
    resident = make_resident(city.staff)
    first = _harassment_contact(city.staff, resident=resident)
    second = _harassment_contact(city.staff, resident=resident)
    other = _harassment_contact(
        city.staff, resident=make_resident(city.staff, name="佐藤 花子", phones=["090-1111-2222"])
    )
    assert Case.objects.count() == 2
    case = Case.objects.get(contacts=first)
    assert set(case.contacts.all()) == {first, second}
    assert case.events.filter(kind="case.contact_added").count() == 1
    assert Case.objects.get(contacts=other) != case


def test_a_closed_case_is_not_joined(city):
    resident = make_resident(city.staff)
    _harassment_contact(city.staff, resident=resident)
    case = _case_at(
        Case.objects.get(), city.supervisor, "supervisor_review", "organised_response", "measures_review", "closed"
    )
    assert case.closed_at is not None
    later = _harassment_contact(city.staff, resident=resident)
    assert Case.objects.count() == 2
    assert Case.objects.get(contacts=later).state == "reported"


def test_opening_is_idempotent_for_the_same_contact(city):
    contact = _harassment_contact(city.staff, resident=make_resident(city.staff))
    case = Case.objects.get()
    again = case_open_or_join(actor=city.supervisor, contact=contact, reason="backup_call")
    data = ContactData.from_contact(contact)
    data.summary = "追記"
    contact_update(actor=city.staff, contact=contact, data=data)
    assert again == case
    assert Case.objects.count() == 1
    assert case.events.count() == 1
    assert Notification.objects.filter(user=city.supervisor).count() == 1


def test_unknown_resident_only_joins_the_case_holding_the_contact(city):
    first = _harassment_contact(city.staff, resident_description="50代男性")
    second = _harassment_contact(city.staff, resident_description="50代男性")
    assert Case.objects.count() == 2
    assert case_open_or_join(actor=city.staff, contact=first, reason="report") == Case.objects.get(contacts=first)
    assert Case.objects.get(contacts=second).resident is None


def test_backup_call_reason_opens_a_case_and_bad_reason_is_refused(city):
    contact = make_contact(city.staff)
    case = case_open_or_join(actor=city.staff, contact=contact, reason="backup_call")
    assert case.events.get().details["reason"] == "backup_call"
    with pytest.raises(ValidationError):
        case_open_or_join(actor=city.staff, contact=make_contact(city.staff), reason="whim")


def test_contact_outside_the_actors_scope_cannot_be_reported(city, client_for):
    contact = make_contact(city.staff)
    with pytest.raises(PermissionDenied):
        case_open_or_join(actor=city.zeimu_staff, contact=contact, reason="report")
    assert client_for(city.zeimu_staff).post(f"/cases/report/{contact.pk}/").status_code == 404
    assert not Case.objects.exists()


def test_report_button_on_the_contact_page(city, client_for):
    contact = make_contact(city.staff)
    client = client_for(city.staff)
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "事案として報告" in page and f"/cases/report/{contact.pk}/" in page
    response = client.post(f"/cases/report/{contact.pk}/")
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.events.get().details["reason"] == "report"
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/"' in page and "事案として報告" not in page


# --- the state machine ---------------------------------------------------------------------------


def test_skipping_a_state_is_refused_naming_the_missing_step(city, client_for):
    case = Case.objects.get(contacts=_harassment_contact(city.staff))
    with pytest.raises(ValidationError) as caught:
        case_change_state(actor=city.supervisor, case=case, state="organised_response")
    assert "「上司確認」を経ずに「組織対応中」にはできません" in caught.value.message_dict["state"][0]
    case.refresh_from_db()
    assert case.state == "reported"

    response = client_for(city.supervisor).post(f"/cases/{case.pk}/state/", {"state": "measures_review"}, follow=True)
    assert "「上司確認」を経ずに「措置検討」にはできません" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "reported"


def test_states_move_one_step_at_a_time_and_closing_needs_a_note(city, client_for):
    case = Case.objects.get(contacts=_harassment_contact(city.staff))
    client = client_for(city.manager)
    client.post(f"/cases/{case.pk}/state/", {"state": "supervisor_review"})
    case.refresh_from_db()
    assert case.state == "supervisor_review"
    case = _case_at(case, city.manager, "organised_response", "measures_review")
    with pytest.raises(ValidationError) as caught:
        case_change_state(actor=city.manager, case=case, state="closed")
    assert "reason" in caught.value.message_dict
    case = case_change_state(actor=city.manager, case=case, state="closed", reason="警告文を送付し終結")
    assert case.closed_at is not None
    event = case.events.filter(kind="case.state_changed").last()
    assert event.details == {"from": "measures_review", "to": "closed"} and event.note == "警告文を送付し終結"
    assert AuditEntry.objects.filter(action="cases.case.state_changed").count() == 4


def test_going_back_one_step_needs_a_reason_and_two_steps_is_refused(city):
    case = _case_at(
        Case.objects.get(contacts=_harassment_contact(city.staff)),
        city.supervisor,
        "supervisor_review",
        "organised_response",
    )
    with pytest.raises(ValidationError) as caught:
        case_change_state(actor=city.supervisor, case=case, state="supervisor_review")
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError):
        case_change_state(actor=city.supervisor, case=case, state="reported", reason="誤り")
    case = case_change_state(actor=city.supervisor, case=case, state="supervisor_review", reason="事実確認をやり直す")
    assert case.state == "supervisor_review"


def test_closing_and_reopening_by_going_back(city):
    case = _case_at(
        Case.objects.get(contacts=_harassment_contact(city.staff)),
        city.supervisor,
        "supervisor_review",
        "organised_response",
        "measures_review",
        "closed",
    )
    case = case_change_state(actor=city.supervisor, case=case, state="measures_review", reason="再発")
    assert case.closed_at is None


def test_staff_may_report_but_not_move_states(city, client_for):
    case = Case.objects.get(contacts=_harassment_contact(city.staff))
    with pytest.raises(PermissionDenied):
        case_change_state(actor=city.staff, case=case, state="supervisor_review")
    assert client_for(city.staff).post(f"/cases/{case.pk}/state/", {"state": "supervisor_review"}).status_code == 403
    case.refresh_from_db()
    assert case.state == "reported"


def test_specialist_moves_states_in_any_department(city):
    case = Case.objects.get(contacts=_harassment_contact(city.zeimu_staff))
    assert case_change_state(actor=city.specialist, case=case, state="supervisor_review").state == "supervisor_review"


def test_other_department_gets_404_everywhere(city, client_for):
    contact = _harassment_contact(city.staff)
    case = Case.objects.get()
    client = client_for(city.zeimu_staff)
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/print/"):
        assert client.get(url).status_code == 404
    for url, data in (
        (f"/cases/{case.pk}/state/", {"state": "supervisor_review"}),
        (f"/cases/{case.pk}/step/", {"step": "stop_request"}),
        (f"/cases/{case.pk}/handler/", {"handler": city.zeimu_staff.pk}),
        (f"/cases/{case.pk}/follow-ups/", {"staff": city.staff.pk, "kind": "interview", "due_date": "2030-01-01"}),
    ):
        assert client.post(url, data).status_code == 404
    with pytest.raises(PermissionDenied):
        case_record_step(actor=city.zeimu_staff, case=case, step="stop_request")
    assert f"/cases/{case.pk}/" not in client.get("/cases/?state=all").content.decode()
    assert f"/cases/{case.pk}/" not in client.get("/cases/open/").content.decode()
    assert client.get(f"/contacts/{contact.pk}/").status_code == 404
    assert case.events.count() == 1


def test_administrator_sees_no_cases(city, client_for):
    _harassment_contact(city.staff)
    client = client_for(city.admin)
    assert client.get("/cases/").status_code == 403
    assert client.get("/cases/open/").status_code == 403
    assert client.get(f"/cases/{Case.objects.get().pk}/").status_code == 404


def test_case_pages_render_for_the_department_and_the_specialist(city, client_for):
    case = Case.objects.get(contacts=_harassment_contact(city.staff, summary="大声での恫喝"))
    for user in (city.staff, city.supervisor, city.specialist):
        client = client_for(user)
        listing = client.get("/cases/").content.decode()
        assert f"/cases/{case.pk}/" in listing and "大声での恫喝" in listing
        detail = client.get(f"/cases/{case.pk}/")
        assert detail.status_code == 200
        assert client.get(f"/cases/{case.pk}/print/").status_code == 200
    assert "事案" in client_for(city.staff).get("/").content.decode()


# --- the timeline ---------------------------------------------------------------------------------


def test_counted_steps_count_their_repetitions(city, client_for):
    case = Case.objects.get(contacts=_harassment_contact(city.staff))
    counts = [case_record_step(actor=city.staff, case=case, step="stop_request").count for _ in range(3)]
    assert counts == [1, 2, 3]
    assert case_record_step(actor=city.staff, case=case, step="response_ended").count is None
    client = client_for(city.staff)
    client.post(f"/cases/{case.pk}/step/", {"step": "exit_order", "note": "大声で拒否"})
    assert CaseEvent.objects.get(case=case, kind="exit_order").count == 1
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "退去命令（2回目）" in page
    assert "中止の要求（4回目）" in page
    assert "（3回目）" in page  # the timeline shows each repetition
    assert "これ以上お話を伺っても同じ回答になりますので、本日の対応はこれで終了させていただきます。" in page
    assert AuditEntry.objects.filter(action="cases.event.recorded").count() == 5


def test_suggested_next_step_follows_the_pack(city):
    from cases.selectors import case_step_buttons

    case = Case.objects.get(contacts=_harassment_contact(city.staff))

    def suggested():
        return [b.step.code for b in case_step_buttons(case=case) if b.suggested]

    assert suggested() == ["several_staff"]  # a new case: the first step (issue 12, 2.8)
    case_record_step(actor=city.staff, case=case, step="response_ended")
    assert suggested() == ["stop_request"]
    case_record_step(actor=city.staff, case=case, step="stop_request")
    assert suggested() == ["stop_request"]
    case_record_step(actor=city.staff, case=case, step="stop_request")
    case_record_step(actor=city.staff, case=case, step="stop_request")
    assert suggested() == ["exit_order"]


def test_police_step_needs_a_station_and_keeps_officer_and_reference(city, client_for):
    case = Case.objects.get(contacts=_harassment_contact(city.staff))
    with pytest.raises(ValidationError) as caught:
        case_record_step(actor=city.staff, case=case, step="police_called", details={"officer": "山田巡査"})
    assert "station" in caught.value.message_dict
    with pytest.raises(ValidationError):
        case_record_step(actor=city.staff, case=case, step="stop_request", details={"station": "110"})
    called = timezone.now() - dt.timedelta(minutes=10)
    event = case_record_step(
        actor=city.staff,
        case=case,
        step="police_called",
        occurred_at=called,
        details={"station": "110", "officer": "山田巡査", "reference": "R7-123"},
    )
    assert event.details == {"station": "110", "officer": "山田巡査", "reference": "R7-123"}
    assert event.occurred_at == called
    client = client_for(city.supervisor)
    client.post(f"/cases/{case.pk}/step/", {"step": "police_called", "station": "大田原警察署", "reference": "R7-124"})
    assert CaseEvent.objects.filter(kind="police_called").count() == 2
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "大田原警察署" in page and "R7-123" in page and "山田巡査" in page


def test_unknown_step_and_closed_case_are_refused(city):
    case = Case.objects.get(contacts=_harassment_contact(city.staff))
    with pytest.raises(ValidationError):
        case_record_step(actor=city.staff, case=case, step="shouting")
    case = _case_at(case, city.supervisor, "supervisor_review", "organised_response", "measures_review", "closed")
    with pytest.raises(ValidationError):
        case_record_step(actor=city.staff, case=case, step="stop_request")


def test_handler_assignment(city, client_for):
    case = Case.objects.get(contacts=_harassment_contact(city.staff))
    with pytest.raises(PermissionDenied):
        case_assign_handler(actor=city.staff, case=case, handler=city.staff)
    with pytest.raises(ValidationError):
        case_assign_handler(actor=city.supervisor, case=case, handler=city.zeimu_staff)
    client_for(city.supervisor).post(f"/cases/{case.pk}/handler/", {"handler": city.manager.pk})
    case.refresh_from_db()
    assert case.handler == city.manager
    assert case.events.filter(kind="case.handler_assigned").exists()


# --- notifications -------------------------------------------------------------------------------


def test_reporting_notifies_supervisors_managers_and_specialists_after_commit(
    city, django_capture_on_commit_callbacks, monkeypatch
):
    for user in (city.supervisor, city.manager, city.specialist, city.zeimu_staff, city.staff):
        user.email = f"{user.username}@city.example.lg.jp"
        user.save(update_fields=["email"])
    published = []
    monkeypatch.setattr("realtime.events.publish", lambda groups, event: published.append((groups, event)))
    with django_capture_on_commit_callbacks() as callbacks:
        _harassment_contact(city.staff)
        assert mail.outbox == []
        assert published == []
    case = Case.objects.get()
    assert {n.user for n in Notification.objects.all()} == {city.supervisor, city.manager, city.specialist}
    assert Notification.objects.filter(url=f"/cases/{case.pk}/").count() == 3

    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == [
        "manager1@city.example.lg.jp",
        "specialist1@city.example.lg.jp",
        "supervisor1@city.example.lg.jp",
    ]
    assert "事案" in mail.outbox[0].subject and f"/cases/{case.pk}/" in mail.outbox[0].body
    assert published[0][0] == [
        f"dept-{city.shimin.pk}-supervisors",
        f"dept-{city.shimin.pk}-managers",
        "specialist-section",
    ]
    assert published[0][1]["kind"] == "case.reported" and published[0][1]["case_id"] == case.pk


def test_nothing_is_sent_when_the_transaction_rolls_back(city, django_capture_on_commit_callbacks):
    from django.db import transaction

    city.supervisor.email = "supervisor1@city.example.lg.jp"
    city.supervisor.save(update_fields=["email"])
    contact = make_contact(city.staff)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                case_open_or_join(actor=city.staff, contact=contact, reason="report")
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not Case.objects.exists() and not Notification.objects.exists()


def test_notification_list_unread_count_and_opening(city, client_for):
    case = Case.objects.get(contacts=_harassment_contact(city.staff))
    client = client_for(city.supervisor)
    home = client.get("/").content.decode()
    assert 'href="/notifications/"' in home and ">1</span>" in home
    page = client.get("/notifications/").content.decode()
    assert "市民課で事案が報告されました" in page
    notification = Notification.objects.get(user=city.supervisor)
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == f"/cases/{case.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert ">1</span>" not in client.get("/").content.decode()
    # someone else's notification: not found
    other = Notification.objects.get(user=city.manager)
    assert client.post(f"/notifications/{other.pk}/open/").status_code == 404


def test_the_header_counts_unread_notifications_up_to_99(city, client_for):
    Notification.objects.bulk_create(
        Notification(user=city.supervisor, text=f"お知らせ {i}", url="/") for i in range(120)
    )
    assert ">99+</span>" in client_for(city.supervisor).get("/").content.decode()


# --- the open-cases page --------------------------------------------------------------------------


def test_open_cases_list_unhandled_first_then_oldest_activity(city, client_for):
    residents = [make_resident(city.staff, name=f"住民{i}", phones=[f"090-0000-000{i}"]) for i in range(4)]
    handled_old = Case.objects.get(contacts=_harassment_contact(city.staff, resident=residents[0]))
    unhandled_new = Case.objects.get(contacts=_harassment_contact(city.zeimu_staff, resident=residents[1]))
    unhandled_old = Case.objects.get(contacts=_harassment_contact(city.staff, resident=residents[2]))
    closed = Case.objects.get(contacts=_harassment_contact(city.staff, resident=residents[3]))
    _case_at(closed, city.supervisor, "supervisor_review", "organised_response", "measures_review", "closed")
    case_assign_handler(actor=city.supervisor, case=handled_old, handler=city.staff)
    now = timezone.now()
    Case.objects.filter(pk=handled_old.pk).update(last_activity_at=now - dt.timedelta(days=10))
    Case.objects.filter(pk=unhandled_old.pk).update(last_activity_at=now - dt.timedelta(days=3))
    Case.objects.filter(pk=unhandled_new.pk).update(last_activity_at=now - dt.timedelta(hours=1))

    assert list(case_open_list(user=city.specialist)) == [unhandled_old, unhandled_new, handled_old]
    assert list(case_open_list(user=city.supervisor)) == [unhandled_old, handled_old]
    assert list(case_open_list(user=city.zeimu_staff)) == [unhandled_new]
    page = client_for(city.specialist).get("/cases/open/").content.decode()
    positions = [page.index(f'href="/cases/{c.pk}/"') for c in (unhandled_old, unhandled_new, handled_old)]
    assert positions == sorted(positions)
    assert f'href="/cases/{closed.pk}/"' not in page


def test_a_second_city_has_its_own_states_and_steps(city, settings):
    from pathlib import Path

    from mamoru.policy.loader import reset_cache

    settings.MAMORU_POLICY_PACK = str(Path(__file__).parent / "packs" / "minato.toml")
    reset_cache()
    case = case_open_or_join(actor=city.staff, contact=make_contact(city.staff, channel="chat"), reason="report")
    assert case.state == "reported"
    with pytest.raises(ValidationError) as caught:
        case_change_state(actor=city.supervisor, case=case, state="closed", reason="終結")
    assert "「対応中」を経ずに「終結」にはできません" in caught.value.message_dict["state"][0]
    assert [case_record_step(actor=city.staff, case=case, step="stop_request").count for _ in range(2)] == [1, 2]
    with pytest.raises(ValidationError):
        case_record_step(actor=city.staff, case=case, step="exit_order")


def test_a_failed_push_does_not_undo_or_break_the_report(city, django_capture_on_commit_callbacks, monkeypatch):
    def broken(groups, event):
        raise ConnectionError("channel layer down")

    monkeypatch.setattr("realtime.events.publish", broken)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_open_or_join(actor=city.staff, contact=make_contact(city.staff), reason="report")
    assert Case.objects.filter(pk=case.pk).exists()
    assert Notification.objects.filter(user=city.supervisor, url=f"/cases/{case.pk}/").exists()


def test_joining_notifies_that_a_contact_was_added(city):
    resident = make_resident(city.staff)
    _harassment_contact(city.staff, resident=resident)
    second = _harassment_contact(city.staff, resident=resident)
    texts = list(Notification.objects.filter(user=city.supervisor).order_by("id").values_list("text", flat=True))
    assert len(texts) == 2
    assert "事案が報告されました" in texts[0] and f"{second}" in texts[1] and "追加" in texts[1]


def test_case_pages_do_not_grow_queries_with_the_timeline(city, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = Case.objects.get(contacts=_harassment_contact(city.staff))
    client = client_for(city.specialist)
    counts = []
    for repeats in (1, 15):
        for _ in range(repeats):
            case_record_step(actor=city.staff, case=case, step="stop_request")
            _harassment_contact(city.staff)
        for url in (f"/cases/{case.pk}/", "/cases/", "/cases/open/"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:3] == counts[3:]
