"""Requests from other businesses about our staff (issue 15 B): the services, their order,
who may see what, and the deadlines."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from business_requests import services
from business_requests.choices import Outcome, RequestState
from business_requests.deadlines import business_request_deadlines, request_deadlines
from business_requests.models import BusinessRequest, Hearing
from business_requests.permissions import may_see, may_see_business_account
from business_requests.selectors import request_list
from notifications.hooks import deadlines_due

pytestmark = pytest.mark.django_db


def receive(city, **extra):
    fields = {
        "business_name": "那須運送株式会社",
        "contact_person": "総務部 佐藤",
        "contact_details": "0287-11-2222",
        "description": "配達時に窓口で職員から大声で叱責された。",
        "asked_for": "事実確認と再発防止",
        "staff": [city.staff],
        "incident_on": timezone.localdate() - dt.timedelta(days=3),
        "incident_place": "市民課窓口",
        "evidence_description": "配達員のメモ（写し）",
    }
    fields.update(extra)
    return services.business_request_receive(actor=city.specialist, **fields)


def to_decided(city, outcome=Outcome.FACT_FOUND):
    request = receive(city)
    services.business_request_assign(
        actor=city.specialist, request=request, handler=city.specialist, managers=[city.manager]
    )
    services.business_request_hearing_record(
        actor=city.specialist,
        request=request,
        staff=city.staff,
        held_on=timezone.localdate(),
        account="強い口調になった。",
    )
    return services.business_request_decide_outcome(
        actor=city.specialist, request=request, outcome=outcome, reasons="本人も認めた"
    )


def test_whole_flow_keeps_each_step_date_and_audits(city):
    request = to_decided(city)
    services.business_request_note_add(actor=city.specialist, request=request, text="防犯カメラは無し")
    request = services.business_request_decide_measures(
        actor=city.manager, request=request, guidance=True, training=True, note="課長による指導と接遇研修"
    )
    request = services.business_request_reply_record(
        actor=city.specialist, request=request, sent_on=timezone.localdate(), summary="事実を確認し指導しました。"
    )
    request = services.business_request_close(actor=city.specialist, request=request)
    request.refresh_from_db()
    today = timezone.localdate()
    assert request.state == RequestState.CLOSED
    assert (request.assigned_on, request.outcome_on, request.measures_on, request.reply_sent_on, request.closed_on) == (
        today,
        today,
        today,
        today,
        today,
    )
    assert request.measures_by == city.manager
    actions = set(AuditEntry.objects.filter(action__startswith="business_requests.").values_list("action", flat=True))
    assert {
        "business_requests.request.received",
        "business_requests.request.assigned",
        "business_requests.note.added",
        "business_requests.hearing.recorded",
        "business_requests.request.outcome_decided",
        "business_requests.request.measures_decided",
        "business_requests.request.replied",
        "business_requests.request.closed",
    } <= actions


def test_intake_bad_input_is_refused_with_japanese_messages_and_nothing_saved(city):
    with pytest.raises(ValidationError) as error:
        receive(
            city,
            business_name=" ",
            staff=[],
            staff_description="",
            incident_on=timezone.localdate() + dt.timedelta(days=2),
        )
    messages = error.value.message_dict
    assert "事業者名を入力してください。" in messages["business_name"]
    assert "staff_description" in messages and "incident_on" in messages
    with pytest.raises(ValidationError) as error:
        receive(city, staff=[city.admin])
    assert "職員ではありません" in str(error.value)
    assert not BusinessRequest.objects.exists()
    # Staff unknown: a description is enough.
    assert receive(city, staff=[], staff_description="午前中の窓口、眼鏡の男性職員").pk


def test_steps_out_of_order_are_refused_with_the_reason(city):
    request = receive(city)
    with pytest.raises(ValidationError, match="状態が「受付」の申入れには「聴取の記録」を行えません"):
        services.business_request_hearing_record(
            actor=city.specialist, request=request, staff=city.staff, held_on=timezone.localdate(), account="説明"
        )
    with pytest.raises(ValidationError, match="終結"):
        services.business_request_close(actor=city.specialist, request=request)
    services.business_request_assign(
        actor=city.specialist, request=request, handler=city.specialist, managers=[city.manager]
    )
    with pytest.raises(ValidationError, match="聴取を記録してください"):
        services.business_request_decide_outcome(
            actor=city.specialist, request=request, outcome=Outcome.FACT_FOUND, reasons="r"
        )
    request.refresh_from_db()
    assert request.state == RequestState.ASSIGNED and request.outcome == ""


def test_fact_found_needs_measures_before_the_reply_and_no_fact_does_not(city):
    request = to_decided(city)
    with pytest.raises(ValidationError, match="措置を決定してから回答"):
        services.business_request_reply_record(
            actor=city.specialist, request=request, sent_on=timezone.localdate(), summary="回答"
        )
    other = to_decided(city, outcome=Outcome.NO_FACT)
    with pytest.raises(ValidationError, match="事実あり"):
        services.business_request_decide_measures(
            actor=city.manager, request=other, guidance=True, training=False, note="x"
        )
    replied = services.business_request_reply_record(
        actor=city.specialist, request=other, sent_on=timezone.localdate(), summary="回答"
    )
    assert replied.state == RequestState.REPLIED


def test_measures_only_by_a_named_manager(city):
    request = to_decided(city)
    for actor in (city.specialist, city.supervisor, city.staff):
        with pytest.raises(PermissionDenied):
            services.business_request_decide_measures(
                actor=actor, request=request, guidance=True, training=False, note="指導"
            )
    request.managers.clear()
    with pytest.raises(PermissionDenied):
        services.business_request_decide_measures(
            actor=city.manager, request=request, guidance=True, training=False, note="指導"
        )


def test_only_the_specialist_section_enters_and_handles(city):
    for actor in (city.staff, city.supervisor, city.manager, city.admin):
        with pytest.raises(PermissionDenied):
            services.business_request_receive(
                actor=actor,
                business_name="A",
                contact_person="B",
                contact_details="C",
                description="D",
                asked_for="E",
                staff_description="F",
            )


def test_who_sees_what(city):
    request = receive(city)
    services.business_request_assign(
        actor=city.specialist, request=request, handler=city.specialist, managers=[city.manager]
    )
    assert may_see(city.specialist, request) and may_see(city.manager, request) and may_see(city.staff, request)
    assert (
        not may_see(city.supervisor, request)
        and not may_see(city.admin, request)
        and not may_see(city.zeimu_staff, request)
    )
    assert may_see_business_account(city.manager, request)
    assert not may_see_business_account(city.staff, request)  # until the outcome is decided
    assert list(request_list(user=city.admin)) == [] and list(request_list(user=city.supervisor)) == []
    assert list(request_list(user=city.staff)) == [request]
    services.business_request_hearing_record(
        actor=city.specialist, request=request, staff=city.staff, held_on=timezone.localdate(), account="説明"
    )
    request = services.business_request_decide_outcome(
        actor=city.specialist, request=request, outcome=Outcome.UNDETERMINED, reasons="証拠不足"
    )
    assert may_see_business_account(city.staff, request)


def test_hearing_confirmed_only_by_the_staff_member_heard(city):
    request = receive(city)
    services.business_request_assign(actor=city.specialist, request=request, handler=city.specialist)
    with pytest.raises(ValidationError, match="対象職員から選んで"):
        services.business_request_hearing_record(
            actor=city.specialist, request=request, staff=city.zeimu_staff, held_on=timezone.localdate(), account="x"
        )
    hearing = services.business_request_hearing_record(
        actor=city.specialist, request=request, staff=city.staff, held_on=timezone.localdate(), account="説明"
    )
    with pytest.raises(PermissionDenied):
        services.business_request_hearing_confirm(actor=city.specialist, hearing=hearing)
    services.business_request_hearing_confirm(actor=city.staff, hearing=hearing)
    assert Hearing.objects.get(pk=hearing.pk).confirmed_at is not None
    with pytest.raises(ValidationError, match="確認済み"):
        services.business_request_hearing_confirm(actor=city.staff, hearing=hearing)


def test_deadlines_answer_the_hook_and_follow_the_settings(city, settings):
    settings.MAMORU_BUSINESS_REQUEST_HEARING_DAYS = 5
    settings.MAMORU_BUSINESS_REQUEST_REPLY_DAYS = 20
    received = timezone.localdate() - dt.timedelta(days=1)
    request = receive(city, received_on=received, incident_on=received)
    due = {d.key.rsplit(":", 1)[1]: d for d in request_deadlines(request)}
    assert due["hearing"].due_on == received + dt.timedelta(days=5)
    assert due["reply"].due_on == received + dt.timedelta(days=20)
    answered = [d for result in deadlines_due.collect(today=timezone.localdate()) for d in (result or [])]
    keys = {d.key for d in answered}
    assert f"business_requests.request:{request.pk}:reply" in keys
    assert [d.recipients for d in business_request_deadlines() if "hearing" in d.key] == [(city.specialist,)]
    services.business_request_assign(actor=city.specialist, request=request, handler=city.specialist)
    services.business_request_hearing_record(
        actor=city.specialist, request=request, staff=city.staff, held_on=timezone.localdate(), account="説明"
    )
    assert [d.key.rsplit(":", 1)[1] for d in request_deadlines(request)] == ["reply"]


def test_reply_letter_is_a_numbered_pdf_of_the_letters_app(city):
    from letters.models import IssuedLetter

    request = services.business_request_decide_measures(
        actor=city.manager, request=to_decided(city), guidance=True, training=True, note="指導と研修"
    )
    request = services.business_request_reply_record(
        actor=city.specialist,
        request=request,
        sent_on=timezone.localdate(),
        summary="職員の不適切な言動を確認しました。",
        issue_letter=True,
        address="那須塩原市1-2-3",
    )
    letter = IssuedLetter.objects.get()
    assert request.reply_letter == letter
    assert bytes(letter.pdf).startswith(b"%PDF") and letter.document_number.endswith("号")
    assert letter.title == "申入れに対する回答書" and letter.addressee == "那須運送株式会社　総務部 佐藤"
    values = letter.context["values"]
    assert values["理由"].startswith("事実あり。") and "指導" in values["要請事項"] and "研修" in values["要請事項"]
    assert values["発出日"].startswith("令和")
    # The staff member's own words and the manager's note stay internal.
    assert "指導と研修" not in str(letter.context) and "強い口調" not in str(letter.context)


def test_demo_has_requests_in_every_state(db):
    from demo.generator import seed_demo

    seed_demo(seed=7, contacts=60, residents=12, today=timezone.localdate())
    states = set(BusinessRequest.objects.values_list("state", flat=True))
    assert states == set(RequestState.values)
    assert set(BusinessRequest.objects.exclude(outcome="").values_list("outcome", flat=True)) >= {
        "fact_found",
        "no_fact",
    }
    assert BusinessRequest.objects.filter(reply_letter__isnull=False).count() == 2


def test_the_reply_letter_template_is_listed_and_editable_with_the_measures_letters(city, client):
    from letters.models import LetterTemplate
    from tests.conftest import PASSWORD

    client.login(username=city.specialist.username, password=PASSWORD)
    page = client.get("/letters/templates/").content.decode()
    template = LetterTemplate.objects.get(measure_code="business_request_reply")
    assert "申入れに対する回答書" in page and "他事業者からの申入れへの回答" in page
    assert client.get(f"/letters/templates/{template.pk}/preview/")["Content-Type"] == "application/pdf"


def test_a_manager_can_still_be_named_after_the_outcome_so_measures_are_never_stuck(city):
    request = receive(city)
    services.business_request_assign(actor=city.specialist, request=request, handler=city.specialist)
    services.business_request_hearing_record(
        actor=city.specialist, request=request, staff=city.staff, held_on=timezone.localdate(), account="説明"
    )
    request = services.business_request_decide_outcome(
        actor=city.specialist, request=request, outcome=Outcome.FACT_FOUND, reasons="認めた"
    )
    request = services.business_request_assign(
        actor=city.specialist, request=request, handler=city.specialist, managers=[city.manager]
    )
    assert request.state == RequestState.DECIDED
    request = services.business_request_decide_measures(
        actor=city.manager, request=request, guidance=False, training=True, note="研修"
    )
    assert request.state == RequestState.MEASURES_DECIDED
    with pytest.raises(ValidationError, match="担当者の指定"):
        services.business_request_assign(actor=city.specialist, request=request, handler=city.specialist)


def test_dates_and_people_out_of_bounds_are_refused(city):
    request = receive(city, received_on=timezone.localdate() - dt.timedelta(days=5), incident_on=None)
    with pytest.raises(ValidationError, match="担当者は専門部署"):
        services.business_request_assign(actor=city.specialist, request=request, handler=city.staff)
    with pytest.raises(ValidationError, match="管理職ではありません"):
        services.business_request_assign(
            actor=city.specialist, request=request, handler=city.specialist, managers=[city.supervisor]
        )
    services.business_request_assign(actor=city.specialist, request=request, handler=city.specialist)
    with pytest.raises(ValidationError, match="受付日"):
        services.business_request_hearing_record(
            actor=city.specialist,
            request=request,
            staff=city.staff,
            held_on=timezone.localdate() - dt.timedelta(days=6),
            account="説明",
        )
    with pytest.raises(ValidationError, match="未来の日付"):
        services.business_request_hearing_record(
            actor=city.specialist,
            request=request,
            staff=city.staff,
            held_on=timezone.localdate() + dt.timedelta(days=1),
            account="説明",
        )
    assert not Hearing.objects.exists()


def test_the_people_concerned_are_told_in_app(city):
    from notifications.models import Notification

    to_decided(city)
    assert Notification.objects.filter(user=city.manager, text__contains="関係する管理職に指名").exists()
    assert Notification.objects.filter(user=city.manager, text__contains="措置（指導・研修）を決定").exists()
    assert Notification.objects.filter(user=city.staff, text__contains="聴取の記録を確認").exists()
    assert Notification.objects.filter(user=city.staff, text__contains="調査結果：事実あり").exists()
    assert not Notification.objects.filter(user__in=[city.supervisor, city.admin]).exists()
