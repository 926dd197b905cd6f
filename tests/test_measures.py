"""The measures ladder (措置): draft, approval (決裁), issue, send-back,
withdrawal, appeal, the resident's timeline, scoping and review reminders."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_create
from audit.models import AuditEntry
from measures import services
from measures.choices import AppealOutcome, MeasureStatus
from measures.models import Measure, MeasureEvent
from measures.selectors import measure_active_list, measure_list, measure_pending_for
from notifications.models import Notification
from tests.conftest import PASSWORD
from tests.factories import make_contact, make_resident

MINATO = Path(__file__).parent / "packs" / "minato.toml"


@pytest.fixture
def specialist2(city):
    return user_create(
        actor=None,
        username="specialist9",
        password=PASSWORD,
        role="specialist",
        department=city.somu,
        full_name="総務 課長",
    )


@pytest.fixture
def resident(city):
    return make_resident(city.staff)


@pytest.fixture
def contacts(city, resident):
    return [
        make_contact(city.staff, resident=resident, summary="窓口で大声", ago=dt.timedelta(days=3)),
        make_contact(city.staff, resident=resident, summary="電話で2時間", ago=dt.timedelta(days=1)),
    ]


REQUESTS = "窓口や電話で大声を出さないこと。"


def terms(city, contacts, **extra):
    values = dict(
        reasons="度重なる大声での威圧",
        contacts=contacts,
        lead_department=city.shimin,
        starts_on=timezone.localdate(),
        requests=REQUESTS,
    )
    values.update(extra)
    return services.MeasureTerms(**values)


def draft(city, resident, contacts, kind="warning", actor=None, **extra):
    return services.measure_draft(
        actor=actor or city.specialist, resident=resident, kind=kind, terms=terms(city, contacts, **extra)
    )


def restriction_conditions(city, **extra):
    values = dict(max_minutes=15, designated_staff=[city.supervisor], allowed_weekdays=[0, 1, 2, 3, 4])
    values.update(extra)
    return services.RestrictionConditions(**values)


def test_ladder_with_ohtawara_pack_issues_a_stored_letter(city, resident, contacts, specialist2):
    measure = draft(
        city,
        resident,
        contacts,
        kind="restriction",
        conditions=restriction_conditions(city),
        ends_on=timezone.localdate() + dt.timedelta(days=180),
        review_on=timezone.localdate() + dt.timedelta(days=90),
    )
    assert measure.status == MeasureStatus.DRAFT and measure.title == "対応制限"
    measure = services.measure_submit(actor=city.specialist, measure=measure)
    assert measure.status == MeasureStatus.PENDING
    # the Ohtawara pack: 管理職 of the lead department first, then the specialist section
    assert measure_pending_for(user=city.manager) == [measure]
    assert measure_pending_for(user=specialist2) == []
    measure = services.measure_approve(actor=city.manager, measure=measure, comment="妥当")
    assert measure.status == MeasureStatus.PENDING
    assert measure_pending_for(user=specialist2) == [measure]
    measure = services.measure_approve(actor=specialist2, measure=measure)
    assert measure.status == MeasureStatus.APPROVED
    measure = services.measure_issue(actor=city.specialist, measure=measure)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.ISSUED and measure.issued_by == city.specialist
    letter = measure.letter
    assert letter.title == "対応制限通知書"
    assert letter.document_number.startswith("大総第")
    assert bytes(letter.pdf).startswith(b"%PDF")
    assert [a.approver for a in measure.approvals.order_by("step")] == [city.manager, specialist2]
    assert measure_active_list(resident=resident) == [measure]
    actions = set(AuditEntry.objects.filter(action__startswith="measures.").values_list("action", flat=True))
    assert {"measures.measure.drafted", "measures.measure.approved", "measures.measure.issued"} <= actions


def test_ladder_with_minato_pack_needs_the_supervisor(city, resident, contacts, settings):
    from mamoru.policy.loader import reset_cache

    settings.MAMORU_POLICY_PACK = str(MINATO)
    reset_cache()
    measure = draft(city, resident, contacts, kind="warning")
    assert measure.title == "警告"
    services.measure_submit(actor=city.specialist, measure=measure)
    with pytest.raises(PermissionDenied):
        services.measure_approve(actor=city.manager, measure=measure)
    measure = services.measure_approve(actor=city.supervisor, measure=measure)
    assert measure.status == MeasureStatus.APPROVED
    measure = services.measure_issue(actor=city.specialist, measure=measure)
    assert measure.letter.title == "警告通知書"
    assert measure.letter.document_number.startswith("湊総第")


def test_measure_without_letter_issues_without_one(city, resident, contacts):
    measure = draft(city, resident, contacts, kind="caution")
    services.measure_submit(actor=city.specialist, measure=measure)
    services.measure_approve(actor=city.manager, measure=measure)
    measure = services.measure_issue(actor=city.specialist, measure=measure)
    assert measure.status == MeasureStatus.ISSUED and measure.letter is None


def test_drafter_cannot_approve_own_draft(city, resident, contacts, specialist2):
    measure = draft(city, resident, contacts, kind="restriction", conditions=restriction_conditions(city))
    services.measure_submit(actor=city.specialist, measure=measure)
    services.measure_approve(actor=city.manager, measure=measure)
    with pytest.raises(ValidationError) as error:
        services.measure_approve(actor=city.specialist, measure=measure)
    assert "自分が起案した措置は決裁できません。" in error.value.messages
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PENDING
    assert measure.approvals.count() == 1


def test_issue_without_approval_is_refused(city, resident, contacts):
    measure = draft(city, resident, contacts)
    with pytest.raises(ValidationError) as error:
        services.measure_issue(actor=city.specialist, measure=measure)
    assert "決裁が済んでいないため発出できません。" in error.value.messages
    services.measure_submit(actor=city.specialist, measure=measure)
    with pytest.raises(ValidationError):
        services.measure_issue(actor=city.specialist, measure=measure)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PENDING and measure.letter is None


def test_end_before_start_is_refused_and_nothing_saved(city, resident, contacts):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        draft(
            city,
            resident,
            contacts,
            kind="restriction",
            starts_on=today,
            ends_on=today - dt.timedelta(days=1),
            conditions=restriction_conditions(city),
        )
    assert error.value.message_dict["ends_on"] == ["終了日は開始日より後にしてください。"]
    assert not Measure.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"review_on": dt.date(2000, 1, 1)}, "review_on"),
        ({"contacts": []}, "contacts"),
        ({"reasons": "  "}, "reasons"),
        ({"kind": "warning", "conditions": services.RestrictionConditions(max_minutes=10)}, "conditions"),
        ({"kind": "restriction", "conditions": services.RestrictionConditions(max_minutes=30)}, "max_minutes"),
        ({"kind": "restriction", "conditions": services.RestrictionConditions(written_only=True)}, "written_channels"),
        ({"kind": "nonexistent"}, "kind"),
    ],
)
def test_bad_drafts_are_refused(city, resident, contacts, extra, field):
    extra = dict(extra)
    with pytest.raises(ValidationError) as error:
        draft(city, resident, extra.pop("contacts", contacts), **extra)
    assert field in error.value.message_dict
    assert not Measure.objects.exists()


def test_contacts_of_another_resident_cannot_be_reasons(city, resident, contacts):
    other = make_resident(city.staff, name="別人 花子", kana="べつじん はなこ", phones=())
    other_contact = make_contact(city.staff, resident=other)
    with pytest.raises(ValidationError) as error:
        draft(city, resident, [other_contact])
    assert "contacts" in error.value.message_dict


def test_only_the_specialist_section_drafts(city, resident, contacts):
    with pytest.raises(PermissionDenied):
        draft(city, resident, contacts, actor=city.manager)


def test_send_back_needs_a_comment_then_resubmit(city, resident, contacts):
    measure = draft(city, resident, contacts)
    services.measure_submit(actor=city.specialist, measure=measure)
    with pytest.raises(ValidationError) as error:
        services.measure_send_back(actor=city.manager, measure=measure, comment="")
    assert "comment" in error.value.message_dict
    measure = services.measure_send_back(actor=city.manager, measure=measure, comment="事実の記載が不足")
    assert measure.status == MeasureStatus.SENT_BACK
    with pytest.raises(ValidationError):
        services.measure_approve(actor=city.manager, measure=measure)
    measure = services.measure_update(
        actor=city.specialist,
        measure=measure,
        terms=terms(city, contacts, reasons="度重なる大声での威圧（3月1日、3月3日）"),
    )
    measure = services.measure_submit(actor=city.specialist, measure=measure)
    assert measure.status == MeasureStatus.PENDING and measure.round == 2
    measure = services.measure_approve(actor=city.manager, measure=measure)
    assert measure.status == MeasureStatus.APPROVED
    decisions = list(measure.approvals.order_by("id").values_list("round", "decision", "comment"))
    assert decisions == [(1, "sent_back", "事実の記載が不足"), (2, "approved", "")]


def test_pending_measure_cannot_be_edited(city, resident, contacts):
    measure = draft(city, resident, contacts)
    services.measure_submit(actor=city.specialist, measure=measure)
    with pytest.raises(ValidationError):
        services.measure_update(actor=city.specialist, measure=measure, terms=terms(city, contacts, reasons="変更"))


def test_same_person_cannot_approve_two_steps(city, resident, contacts, specialist2, settings):
    measure = draft(city, resident, contacts, kind="restriction", conditions=restriction_conditions(city))
    services.measure_submit(actor=city.specialist, measure=measure)
    services.measure_approve(actor=city.manager, measure=measure)
    # a manager is not the specialist section: the second step refuses them
    with pytest.raises(PermissionDenied):
        services.measure_approve(actor=city.manager, measure=measure)


def test_manager_of_another_department_cannot_approve(city, resident, contacts):
    zeimu_manager = user_create(
        actor=None, username="manager2", password=PASSWORD, role="manager", department=city.zeimu
    )
    measure = draft(city, resident, contacts)
    services.measure_submit(actor=city.specialist, measure=measure)
    with pytest.raises(PermissionDenied):
        services.measure_approve(actor=zeimu_manager, measure=measure)
    assert measure_pending_for(user=zeimu_manager) == []


def issued(city, resident, contacts, kind="warning", approvers=(), **extra):
    measure = draft(city, resident, contacts, kind=kind, **extra)
    services.measure_submit(actor=city.specialist, measure=measure)
    for approver in approvers or (city.manager,):
        services.measure_approve(actor=approver, measure=measure)
    return services.measure_issue(actor=city.specialist, measure=measure)


def test_withdraw_is_recorded_and_stops_the_measure(city, resident, contacts):
    measure = issued(city, resident, contacts)
    assert measure_active_list(resident=resident) == [measure]
    with pytest.raises(ValidationError):
        services.measure_withdraw(actor=city.specialist, measure=measure, reason="")
    with pytest.raises(PermissionDenied):
        services.measure_withdraw(actor=city.manager, measure=measure, reason="不要")
    measure = services.measure_withdraw(actor=city.specialist, measure=measure, reason="事実誤認が判明したため")
    assert measure.status == MeasureStatus.WITHDRAWN and measure.withdrawn_by == city.specialist
    assert measure_active_list(resident=resident) == []
    assert AuditEntry.objects.filter(action="measures.measure.withdrawn").count() == 1


def test_appeal_recorded_with_its_outcome(city, resident, contacts):
    measure = issued(city, resident, contacts)
    appeal = services.measure_appeal_record(
        actor=city.specialist, measure=measure, received_on=timezone.localdate(), content="警告は不当である"
    )
    with pytest.raises(ValidationError):
        services.measure_appeal_decide(actor=city.specialist, appeal=appeal, outcome="upheld", reason="")
    appeal = services.measure_appeal_decide(
        actor=city.specialist, appeal=appeal, outcome=AppealOutcome.REVOKED, reason="記録を再確認し取り消す"
    )
    assert appeal.outcome == AppealOutcome.REVOKED and appeal.decided_by == city.specialist
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.WITHDRAWN
    kinds = list(measure.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["appealed", "appeal_decided", "withdrawn"]


def test_appeal_on_a_draft_is_refused(city, resident, contacts):
    measure = draft(city, resident, contacts)
    with pytest.raises(ValidationError):
        services.measure_appeal_record(
            actor=city.specialist, measure=measure, received_on=timezone.localdate(), content="不服"
        )


def test_resident_page_shows_timeline_in_date_order(city, resident, contacts, client_for):
    measure = issued(city, resident, contacts)
    MeasureEvent.objects.filter(measure=measure, kind="drafted").update(at=timezone.now() - dt.timedelta(days=2))
    page = client_for(city.specialist).get(reverse("people:resident_detail", args=[resident.pk]))
    html = page.content.decode()
    assert "措置の経過" in html
    positions = [html.index(label) for label in ("起案</strong>", "決裁に回付", "決裁（承認）", "発出</strong>")]
    assert positions == sorted(positions)
    assert reverse("measures:measure_new", args=[resident.pk]) in html


def test_scoping(city, resident, contacts, client_for):
    measure = draft(city, resident, contacts)
    assert list(measure_list(user=city.manager)) == [measure]
    assert list(measure_list(user=city.staff)) == []
    assert list(measure_list(user=city.admin)) == []
    assert client_for(city.staff).get(reverse("measures:measure_detail", args=[measure.pk])).status_code == 404
    zeimu_manager = user_create(
        actor=None, username="manager2", password=PASSWORD, role="manager", department=city.zeimu
    )
    assert client_for(zeimu_manager).get(reverse("measures:measure_detail", args=[measure.pk])).status_code == 404
    page = client_for(city.staff).get(reverse("people:resident_detail", args=[resident.pk]))
    assert "度重なる大声" not in page.content.decode()


def test_pages_walk_the_ladder(city, resident, contacts, client_for, specialist2):
    client = client_for(city.specialist)
    today = timezone.localdate()
    response = client.post(
        reverse("measures:measure_new", args=[resident.pk]),
        {
            "kind": "restriction",
            "contacts": [c.pk for c in contacts],
            "reasons": "長時間の電話が続いた",
            "lead_department": city.shimin.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today - dt.timedelta(days=1)).isoformat(),
            "reminder_days_before_review": 14,
            "max_minutes": 15,
        },
    )
    assert response.status_code == 200
    assert "終了日は開始日より後にしてください。" in response.content.decode()
    assert not Measure.objects.exists()
    response = client.post(
        reverse("measures:measure_new", args=[resident.pk]),
        {
            "kind": "restriction",
            "contacts": [c.pk for c in contacts],
            "reasons": "長時間の電話が続いた",
            "lead_department": city.shimin.pk,
            "starts_on": today.isoformat(),
            "reminder_days_before_review": 14,
            "max_minutes": 15,
            "written_only": "on",
            "written_channels": ["mail", "letter"],
        },
    )
    measure = Measure.objects.get()
    assert response.status_code == 302
    assert measure.conditions_text() == ["書面でのやり取りに限る（メール・文書）", "1回の対応は15分以内"]
    client.post(reverse("measures:measure_submit", args=[measure.pk]))
    manager = client_for(city.manager)
    assert "対応制限" in manager.get(reverse("measures:measure_inbox")).content.decode()
    manager.post(reverse("measures:measure_approve", args=[measure.pk]), {"comment": "了承"})
    client_for(specialist2).post(reverse("measures:measure_approve", args=[measure.pk]))
    client_for(city.specialist).post(reverse("measures:measure_issue", args=[measure.pk]))
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.ISSUED
    detail = client_for(city.specialist).get(reverse("measures:measure_detail", args=[measure.pk])).content.decode()
    assert measure.letter.document_number in detail and "了承" in detail
    pdf = client_for(city.manager).get(reverse("measures:measure_letter", args=[measure.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert bytes(pdf.content) == bytes(measure.letter.pdf)
    assert "attachment" in pdf["Content-Disposition"]
    assert client_for(city.staff).get(reverse("measures:measure_letter", args=[measure.pk])).status_code == 404


def test_reminders_created_once(city, resident, contacts, specialist2):
    today = timezone.localdate()
    measure = issued(
        city,
        resident,
        contacts,
        review_on=today + dt.timedelta(days=20),
        reminder_days_before_review=14,
    )
    assert services.measure_reminders() == []
    later = timezone.now() + dt.timedelta(days=7)
    assert services.measure_reminders(now=later) == [measure]
    assert services.measure_reminders(now=later + dt.timedelta(days=1)) == []
    notes = Notification.objects.filter(kind="measures.review")
    assert sorted(n.user_id for n in notes) == sorted([city.specialist.pk, specialist2.pk])
    assert city.manager not in [n.user for n in notes]


def test_measure_past_its_end_becomes_ended(city, resident, contacts):
    today = timezone.localdate()
    measure = issued(
        city, resident, contacts, starts_on=today - dt.timedelta(days=10), ends_on=today - dt.timedelta(days=1)
    )
    assert measure_active_list(resident=resident) == []
    services.measure_reminders()
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.ENDED


def test_reminder_command_runs(city, resident, contacts):
    from io import StringIO

    from django.core.management import call_command

    issued(city, resident, contacts, review_on=timezone.localdate() + dt.timedelta(days=1))
    out = StringIO()
    call_command("measure_reminders", stdout=out)
    assert "1件" in out.getvalue()
    assert Notification.objects.filter(user=city.specialist, kind="measures.review").count() == 1


def test_demo_seed_has_measures_in_every_state(db):
    from accounts.models import User
    from demo.generator import seed_demo

    seed_demo(seed=7, contacts=200, residents=30)
    statuses = set(Measure.objects.values_list("status", flat=True))
    assert {"issued", "pending", "sent_back", "draft", "withdrawn"} <= statuses
    specialist2 = User.objects.get(username="specialist2")
    pending = measure_pending_for(user=specialist2)
    assert pending and all(m.kind == "restriction" for m in pending)
    restricted = Measure.objects.get(status="issued", kind="restriction")
    assert restricted.letter is not None and restricted.conditions_text()
    assert Measure.objects.filter(appeals__outcome="upheld").exists()


def test_pages_render_for_their_users(city, resident, contacts, client_for):
    specialist = client_for(city.specialist)
    form = specialist.get(reverse("measures:measure_new", args=[resident.pk]))
    assert form.status_code == 200
    assert "窓口で大声" in form.content.decode() and "電話で2時間" in form.content.decode()
    measure = draft(city, resident, contacts)
    assert specialist.get(reverse("measures:measure_edit", args=[measure.pk])).status_code == 200
    listing = specialist.get(reverse("measures:measure_list")).content.decode()
    assert reverse("measures:measure_detail", args=[measure.pk]) in listing
    assert client_for(city.manager).get(reverse("measures:measure_new", args=[resident.pk])).status_code == 403
    home = client_for(city.specialist).get(reverse("records:home")).content.decode()
    assert reverse("measures:measure_list") in home and reverse("measures:measure_inbox") in home
    staff_home = client_for(city.staff).get(reverse("records:home")).content.decode()
    assert reverse("measures:measure_list") not in staff_home
