"""Retention and legal hold: periods per kind from the policy pack, evidence of a
case kept while the case or a measure about the resident is open, a legal hold
that stops deletion, and ``python -m mamoru evidence-retention [--dry-run]`` that
really removes the bytes (local files and S3) and keeps the record."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from cases.services import case_open_or_join
from evidence import services
from evidence.choices import CustodyKind, HoldGround
from evidence.incoming import incoming_from_stream
from evidence.models import CustodyEvent, Evidence
from evidence.retention import retention_of
from mamoru.policy.schema import PolicyPackError, parse_pack
from mamoru.policy.schema_retention import Period, parse_period
from measures import services as measure_services

from .factories import make_contact, make_resident
from .test_evidence_core import PNG, wav_bytes

PACK = Path(settings.MAMORU_POLICY_PACK).read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _evidence_in_tmp(settings, tmp_path):
    """Local files in the test's folder (tests with ``evidence_storage`` run on both storages)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def add(actor, data, name, **target):
    return services.evidence_add(
        actor=actor, incoming=incoming_from_stream(io.BytesIO(data), name=name), **target
    ).evidence


def age(evidence, days):
    Evidence.objects.filter(pk=evidence.pk).update(uploaded_at=timezone.now() - dt.timedelta(days=days))
    evidence.refresh_from_db()
    return evidence


def run(*args):
    out = io.StringIO()
    call_command("evidence_retention", *args, stdout=out)
    return out.getvalue()


# --- the policy pack -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("3か月", Period(months=3)),
        ("3ヶ月", Period(months=3)),
        ("９０日", Period(days=90)),
        ("1年6か月", Period(years=1, months=6)),
        ("2週間", Period(days=14)),
        ("P3M", Period(months=3)),
        ("P1Y2M10D", Period(years=1, months=2, days=10)),
        ("3 months", Period(months=3)),
        ("無期限", None),
    ],
)
def test_periods_are_read_as_people_write_them(text, period):
    assert parse_period(text, "x") == period


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3ヵ月ぐらい", "期間として読めません"),
        (90, "単位が分かりません"),
        ("0日", "0 より長い期間"),
        ("500年", "100年以内"),
        ("", "期間として読めません"),
    ],
)
def test_a_period_that_is_not_a_period_is_refused_naming_the_key(value, message):
    source = PACK.replace('recording = "3か月"', f"recording = {value!r}".replace("'", '"'))
    with pytest.raises(PolicyPackError) as error:
        parse_pack(source)
    assert error.value.field == "evidence_retention.kinds.recording"
    assert message in str(error.value) and "evidence_retention.kinds.recording" in str(error.value)


def test_an_unknown_kind_or_a_missing_default_is_named():
    with pytest.raises(PolicyPackError) as error:
        parse_pack(PACK.replace('video = "3か月"', 'voice = "3か月"'))
    assert error.value.field == "evidence_retention.kinds.voice" and "recording" in error.value.problem
    with pytest.raises(PolicyPackError) as error:
        parse_pack(PACK.replace('default = "1年"\n', ""))
    assert error.value.field == "evidence_retention.default"


def test_the_default_pack_keeps_routine_recordings_three_months():
    rules = parse_pack(PACK).evidence_retention
    assert rules.period_for("recording") == Period(months=3)
    assert rules.after_case_closed == Period(years=5)
    assert Period(months=1).after(dt.datetime(2026, 1, 31)) == dt.datetime(2026, 2, 28)


def test_a_pack_without_retention_deletes_nothing(city, settings, tmp_path):
    source = PACK[: PACK.index("[evidence_retention]")] + PACK[PACK.index("[[channels]]") :]
    pack = tmp_path / "pack.toml"
    pack.write_text(source, encoding="utf-8")
    settings.MAMORU_POLICY_PACK = str(pack)
    evidence = age(add(city.staff, wav_bytes(), "a.wav", contact=make_contact(city.staff)), 400)
    assert retention_of(evidence).until is None
    assert "削除しません" in run()
    assert Evidence.objects.get(pk=evidence.pk).deleted_at is None


# --- what expires -------------------------------------------------------------------


def test_a_routine_recording_goes_after_three_months_a_photo_stays(city, evidence_storage):
    kind, names = evidence_storage
    contact = make_contact(city.staff)
    recording = age(add(city.staff, wav_bytes(), "通話.wav", contact=contact), 95)
    photo = age(add(city.staff, PNG, "写真.png", contact=contact), 95)
    fresh = add(city.staff, wav_bytes(seconds=1), "新しい.wav", contact=contact)
    assert len(names()) == 3

    dry = run("--dry-run")
    assert "試行" in dry and "削除予定: 証拠 No." in dry and "通話.wav" in dry and "写真.png" not in dry
    assert len(names()) == 3 and not Evidence.objects.filter(deleted_at__isnull=False).exists()

    output = run()
    assert "削除: 証拠 No." in output and "録音の保存期間（登録から3か月）" in output
    recording.refresh_from_db()
    assert recording.deleted_at is not None and "保存期間の満了" in recording.deletion_reason
    assert recording.stored_file.purged_at is not None
    assert len(names()) == 2  # the recording's bytes are gone; the photo's and the fresh one's stay
    deleted = CustodyEvent.objects.get(evidence=recording, kind=CustodyKind.DELETED)
    assert deleted.actor is None and deleted.detail["retention"] is True
    assert CustodyEvent.objects.filter(evidence=recording, kind=CustodyKind.UPLOADED).exists()  # kept
    assert AuditEntry.objects.filter(action="evidence.evidence.deleted", object_id=str(recording.pk)).exists()
    assert AuditEntry.objects.filter(action="evidence.stored_file.purged").count() == 1
    assert AuditEntry.objects.filter(action="evidence.retention.ran").exists()
    for kept in (photo, fresh):
        kept.refresh_from_db()
        assert kept.deleted_at is None
    with pytest.raises(ValidationError):
        services.evidence_open(actor=city.supervisor, evidence=recording, kind=CustodyKind.PLAYED, purpose="確認")
    assert "合計: 証拠の削除 0件" in run()  # a second run has nothing left to do


def test_bytes_another_live_evidence_needs_stay(city, evidence_storage):
    kind, names = evidence_storage
    data = wav_bytes()
    old = age(add(city.staff, data, "a.wav", contact=make_contact(city.staff)), 100)
    add(city.staff, data, "b.wav", contact=make_contact(city.staff))
    run()
    old.refresh_from_db()
    assert old.deleted_at is not None and old.stored_file.purged_at is None and len(names()) == 1


def test_evidence_of_an_open_case_is_kept_then_five_years_after_it_closed(city, evidence_storage):
    resident = make_resident(city.staff)
    contact = make_contact(city.staff, resident=resident, harassment="yes", categories=["verbal_abuse"])
    case = case_open_or_join(actor=city.staff, contact=contact, reason="harassment")
    on_contact = age(add(city.staff, wav_bytes(), "a.wav", contact=contact), 200)
    on_case = age(add(city.supervisor, PNG, "b.png", case=case), 800)
    for evidence in (on_contact, on_case):
        retention = retention_of(evidence)
        assert retention.until is None and "終結していない" in retention.basis
    assert "削除: " not in run()

    from cases.models import Case

    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=10), state="closed")
    retention = retention_of(on_contact)
    assert retention.until > timezone.now() + dt.timedelta(days=4 * 365) and "5年" in retention.basis
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=6 * 366))
    assert retention_of(on_contact).expired(timezone.now())
    run()
    assert Evidence.objects.filter(pk__in=[on_contact.pk, on_case.pk], deleted_at__isnull=False).count() == 2


def test_a_measure_about_the_resident_keeps_the_case_evidence(city, evidence_storage):
    resident = make_resident(city.staff)
    contact = make_contact(city.staff, resident=resident, harassment="yes", categories=["verbal_abuse"])
    case = case_open_or_join(actor=city.staff, contact=contact, reason="harassment")
    from cases.models import Case

    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=6 * 366))
    evidence = age(add(city.staff, wav_bytes(), "a.wav", contact=contact), 7 * 366)
    measure = measure_services.measure_draft(
        actor=city.specialist,
        resident=resident,
        kind="warning",
        terms=measure_services.MeasureTerms(
            reasons="度重なる大声",
            contacts=[contact],
            lead_department=city.shimin,
            starts_on=timezone.localdate(),
            requests="大声を出さないこと。",
        ),
    )
    retention = retention_of(evidence)
    assert retention.until is None and measure.title in retention.basis
    run()
    evidence.refresh_from_db()
    assert evidence.deleted_at is None


# --- legal hold -----------------------------------------------------------------------


def test_a_legal_hold_stops_deletion_until_released(city, evidence_storage):
    kind, names = evidence_storage
    evidence = age(add(city.staff, wav_bytes(), "通話.wav", contact=make_contact(city.staff)), 120)
    held = services.evidence_hold_set(
        actor=city.supervisor, evidence=evidence, ground=HoldGround.DISCLOSURE_REQUEST, reason="開示請求 第12号"
    )
    assert held.legal_hold and held.legal_hold_ground == "disclosure_request" and held.legal_hold_at
    output = run()
    assert "保存（削除停止）中のため残す" in output and "開示請求 第12号" in output
    held.refresh_from_db()
    assert held.deleted_at is None and len(names()) == 1
    event = CustodyEvent.objects.get(evidence=evidence, kind=CustodyKind.HOLD_SET)
    assert event.actor == city.supervisor and event.purpose == "開示請求 第12号"
    assert AuditEntry.objects.filter(action="evidence.evidence.hold_set", object_id=str(evidence.pk)).exists()

    with pytest.raises(ValidationError):
        services.evidence_hold_set(actor=city.manager, evidence=held, ground=HoldGround.LITIGATION, reason="訴訟")
    services.evidence_hold_release(actor=city.specialist, evidence=held, reason="開示決定済み")
    assert CustodyEvent.objects.filter(evidence=evidence, kind=CustodyKind.HOLD_RELEASED).exists()
    run()
    held.refresh_from_db()
    assert held.deleted_at is not None and names() == []


def test_who_may_hold_and_what_a_hold_needs(city):
    evidence = add(city.staff, PNG, "a.png", contact=make_contact(city.staff))
    for user in (city.staff, city.zeimu_staff, city.admin):
        with pytest.raises(PermissionDenied):
            services.evidence_hold_set(actor=user, evidence=evidence, ground=HoldGround.LITIGATION, reason="訴訟")
    with pytest.raises(ValidationError) as error:
        services.evidence_hold_set(actor=city.manager, evidence=evidence, ground=HoldGround.LITIGATION, reason=" ")
    assert "理由" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.evidence_hold_set(actor=city.manager, evidence=evidence, ground="whim", reason="念のため")
    assert "根拠" in str(error.value)
    with pytest.raises(ValidationError):
        services.evidence_hold_release(actor=city.manager, evidence=evidence, reason="不要")
    services.evidence_hold_set(actor=city.manager, evidence=evidence, ground=HoldGround.LITIGATION, reason="訴訟予定")
    with pytest.raises(PermissionDenied):
        services.evidence_hold_release(actor=city.staff, evidence=evidence, reason="不要")


# --- the evidence page's side panel and its buttons -------------------------------------


def _panel(user, evidence):
    from django.test import RequestFactory

    from mamoru.lib.panels import render_panels

    request = RequestFactory().get(f"/evidence/{evidence.pk}/")
    request.user = user
    return str(render_panels(page="evidence.evidence_detail", slot="side", request=request, obj=evidence))


def test_the_panel_shows_the_period_and_offers_the_hold_to_supervisors_only(city, client_for):
    evidence = add(city.staff, wav_bytes(), "通話.wav", contact=make_contact(city.staff))
    html = _panel(city.supervisor, evidence)
    assert "保存期限" in html and "録音の保存期間（登録から3か月）" in html and "保存（削除停止）を設定" in html
    staff_html = _panel(city.staff, evidence)
    assert "保存期限" in staff_html and "保存（削除停止）を設定" not in staff_html
    assert _panel(city.zeimu_staff, evidence) == ""

    client = client_for(city.supervisor)
    response = client.post(f"/evidence/hold/{evidence.pk}/set/", {"ground": "litigation", "reason": "訴訟予定"})
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.legal_hold and evidence.legal_hold_reason == "訴訟予定"
    assert "設定中" in _panel(city.supervisor, evidence) and "解除" in _panel(city.supervisor, evidence)

    response = client.post(f"/evidence/hold/{evidence.pk}/release/", {"reason": ""}, follow=True)
    assert "解除する理由を入力してください" in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.legal_hold

    assert client_for(city.staff).post(f"/evidence/hold/{evidence.pk}/release/", {"reason": "x"}).status_code == 403
    assert client_for(city.zeimu_staff).post(f"/evidence/hold/{evidence.pk}/set/", {}).status_code == 404


def test_a_deleted_evidence_panel_says_so(city):
    evidence = age(add(city.staff, wav_bytes(), "通話.wav", contact=make_contact(city.staff)), 120)
    run()
    evidence.refresh_from_db()
    assert "削除されました" in _panel(city.supervisor, evidence)


def test_a_stored_ground_or_kind_the_choices_do_not_know_breaks_nothing(city):
    evidence = add(city.staff, wav_bytes(), "通話.wav", contact=make_contact(city.staff))
    Evidence.objects.filter(pk=evidence.pk).update(
        legal_hold=True, legal_hold_ground="old_ground", legal_hold_reason="移行前", kind="voice"
    )
    evidence.refresh_from_db()
    assert "old_ground" in _panel(city.supervisor, evidence)
    assert "合計" in run()
