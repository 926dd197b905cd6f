"""応援要請 (backup calls): calling, taking, escalating, closing, and the pages."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from audit.models import AuditEntry
from backup_calls.models import BackupCall
from backup_calls.selectors import backup_call_list, backup_call_pending_list
from backup_calls.services import (
    backup_call_create,
    backup_call_escalate_due,
    backup_call_resolve,
    backup_call_take,
)
from records.services import contact_end, contact_start

ESCALATION = 60  # the Otawara pack's backup_call.escalation_seconds


@pytest.fixture(autouse=True)
def _no_background_loop(settings):
    settings.MAMORU_BACKUP_ESCALATION_INTERVAL = 0
    settings.MAMORU_REPETITION_RECOUNT_INTERVAL = 0


@pytest.fixture
def live(city):
    city.staff.workplace = "窓口3番"
    city.staff.save(update_fields=["workplace"])
    return contact_start(actor=city.staff, channel="counter")


def test_call_is_stored_timed_audited_and_opens_a_case(city, live):
    call = backup_call_create(actor=city.staff, contact=live, reason="大声で威嚇されている")
    assert call.created
    call.refresh_from_db()
    assert call.caller == city.staff and call.department == city.shimin and call.workplace == "窓口3番"
    assert call.level == "supervisor" and call.created_at and call.taken_at is None
    assert AuditEntry.objects.filter(action="backup.call.created", object_id=str(call.pk)).exists()
    from cases.models import Case

    assert Case.objects.filter(contacts=live).exists()


def test_double_click_makes_one_call(city, live):
    first = backup_call_create(actor=city.staff, contact=live)
    second = backup_call_create(actor=city.staff, contact=live, reason="二度目")
    assert first.pk == second.pk and first.created and not second.created
    assert BackupCall.objects.count() == 1
    assert AuditEntry.objects.filter(action="backup.call.created").count() == 1


def test_one_open_call_per_contact_is_a_database_constraint(city, live):
    from django.db import IntegrityError, transaction

    backup_call_create(actor=city.staff, contact=live)
    with pytest.raises(IntegrityError), transaction.atomic():
        BackupCall.objects.create(contact=live, department=city.shimin, caller=city.staff)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_presses_make_one_call():
    # SQLite's shared in-memory test database locks tables without waiting, so
    # this runs on PostgreSQL; tests/test_realtime.py presses twice at once
    # against real server processes on a SQLite file.
    if connection.vendor != "postgresql":
        pytest.skip("simultaneous transactions: PostgreSQL pass (SQLite: see test_realtime)")
    from tests.conftest import City

    city = City()
    live = contact_start(actor=city.staff, channel="counter")
    results, errors = [], []

    def press():
        try:
            results.append(backup_call_create(actor=city.staff, contact=live).pk)
        except Exception as error:  # pragma: no cover - shown on failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1 and BackupCall.objects.count() == 1


def test_reason_is_one_short_line(city, live):
    with pytest.raises(ValidationError):
        backup_call_create(actor=city.staff, contact=live, reason="あ" * 101)
    call = backup_call_create(actor=city.staff, contact=live, reason="  大声\n 威嚇 ")
    assert call.reason == "大声 威嚇"


def test_only_on_a_live_contact_the_actor_may_see(city, live):
    with pytest.raises(PermissionDenied):
        backup_call_create(actor=city.zeimu_staff, contact=live)
    contact_end(actor=city.staff, contact=live)
    with pytest.raises(ValidationError, match="既に終了"):
        backup_call_create(actor=city.staff, contact=live)


def test_take_records_who_and_when(city, live):
    call = backup_call_create(actor=city.staff, contact=live)
    taken = backup_call_take(actor=city.supervisor, call=call)
    assert taken.taken_by == city.supervisor and taken.taken_at is not None
    assert AuditEntry.objects.filter(action="backup.call.taken", actor=city.supervisor).exists()


def test_taking_a_call_someone_took_names_who(city, live):
    call = backup_call_create(actor=city.staff, contact=live)
    backup_call_take(actor=city.supervisor, call=call)
    with pytest.raises(ValidationError) as error:
        backup_call_take(actor=city.manager, call=call)
    assert "既に市民 課長補佐さんが対応しています" in error.value.messages[0]
    call.refresh_from_db()
    assert call.taken_by == city.supervisor
    # Pressing 「向かいます」 twice yourself is not an error.
    assert backup_call_take(actor=city.supervisor, call=call).taken_by == city.supervisor


def test_specialist_may_take_any_department(city, live):
    call = backup_call_create(actor=city.staff, contact=live)
    assert backup_call_take(actor=city.specialist, call=call).taken_by == city.specialist


@pytest.mark.parametrize("who", ["zeimu_staff", "staff", "admin"])
def test_others_may_not_take(city, live, who):
    call = backup_call_create(actor=city.staff, contact=live)
    with pytest.raises(PermissionDenied):
        backup_call_take(actor=getattr(city, who), call=call)
    call.refresh_from_db()
    assert call.taken_at is None


def test_supervisor_of_another_department_may_not_take(city, live):
    from tests.conftest import City

    other = City._user("supervisor2", "supervisor", city.zeimu, "税務 課長補佐")
    call = backup_call_create(actor=city.staff, contact=live)
    with pytest.raises(PermissionDenied):
        backup_call_take(actor=other, call=call)


def test_escalates_after_the_packs_seconds_not_before(city, live):
    call = backup_call_create(actor=city.staff, contact=live)
    start = call.created_at
    assert backup_call_escalate_due(now=start + dt.timedelta(seconds=ESCALATION - 1)) == []
    escalated = backup_call_escalate_due(now=start + dt.timedelta(seconds=ESCALATION))
    assert [c.pk for c in escalated] == [call.pk]
    call.refresh_from_db()
    assert call.level == "manager" and call.manager_alerted_at == start + dt.timedelta(seconds=ESCALATION)
    # The next level waits as long again, counted from the last escalation.
    assert backup_call_escalate_due(now=start + dt.timedelta(seconds=2 * ESCALATION - 1)) == []
    assert len(backup_call_escalate_due(now=start + dt.timedelta(seconds=2 * ESCALATION))) == 1
    call.refresh_from_db()
    assert call.level == "specialist" and call.specialist_alerted_at is not None
    # The specialist section is the last level.
    assert backup_call_escalate_due(now=start + dt.timedelta(hours=1)) == []
    assert AuditEntry.objects.filter(action="backup.call.escalated").count() == 2


def test_escalation_is_idempotent(city, live):
    call = backup_call_create(actor=city.staff, contact=live)
    later = call.created_at + dt.timedelta(seconds=ESCALATION + 5)
    assert len(backup_call_escalate_due(now=later)) == 1
    assert backup_call_escalate_due(now=later) == []
    call.refresh_from_db()
    assert call.level == "manager"
    assert AuditEntry.objects.filter(action="backup.call.escalated").count() == 1


def test_escalation_follows_the_policy_pack(city, live, settings, tmp_path):
    from mamoru.policy.loader import reset_cache

    pack = (settings.BASE_DIR / "mamoru/policy/packs/otawara.toml").read_text(encoding="utf-8")
    path = tmp_path / "pack.toml"
    path.write_text(pack.replace("escalation_seconds = 60", "escalation_seconds = 10"), encoding="utf-8")
    settings.MAMORU_POLICY_PACK = str(path)
    reset_cache()
    call = backup_call_create(actor=city.staff, contact=live)
    assert backup_call_escalate_due(now=call.created_at + dt.timedelta(seconds=9)) == []
    assert len(backup_call_escalate_due(now=call.created_at + dt.timedelta(seconds=10))) == 1


def test_taken_or_closed_calls_do_not_escalate(city, live):
    call = backup_call_create(actor=city.staff, contact=live)
    backup_call_take(actor=city.supervisor, call=call)
    assert backup_call_escalate_due(now=timezone.now() + dt.timedelta(hours=1)) == []


def test_resolve_closes_and_allows_a_new_call(city, live):
    call = backup_call_create(actor=city.staff, contact=live)
    backup_call_resolve(actor=city.staff, call=call)
    with pytest.raises(ValidationError):
        backup_call_resolve(actor=city.staff, call=call)
    with pytest.raises(ValidationError):
        backup_call_take(actor=city.supervisor, call=call)
    again = backup_call_create(actor=city.staff, contact=live)
    assert again.created and again.pk != call.pk


def test_who_sees_which_calls(city, live):
    call = backup_call_create(actor=city.staff, contact=live)
    for user in (city.staff, city.supervisor, city.manager, city.specialist):
        assert list(backup_call_list(user=user)) == [call]
        assert list(backup_call_pending_list(user=user)) == [call]
    for user in (city.zeimu_staff, city.admin):
        assert not backup_call_list(user=user).exists()
    backup_call_take(actor=city.supervisor, call=call)
    assert not backup_call_pending_list(user=city.manager).exists()
    assert list(backup_call_pending_list(user=city.staff)) == [call]  # the caller still sees who is coming


# ---- the pages ----


def test_button_and_steps_on_the_live_contact_page(city, live, client_for):
    client = client_for(city.staff)
    page = client.get(f"/contacts/{live.pk}/").content.decode()
    assert "応援要請" in page and "data-backup-button" in page and "Alt+B" in page
    response = client.post(
        f"/backup-calls/contacts/{live.pk}/call/", {"reason": "威嚇"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 201
    data = response.json()["call"]
    assert data["caller"] == "市民 一郎" and data["workplace"] == "窓口3番" and data["reason"] == "威嚇"
    again = client.post(f"/backup-calls/contacts/{live.pk}/call/", HTTP_ACCEPT="application/json")
    assert again.status_code == 200 and again.json()["call"]["id"] == data["id"]
    assert BackupCall.objects.count() == 1
    page = client.get(f"/contacts/{live.pk}/").content.decode()
    assert "応援を要請しました。対応者を待っています" in page and "威嚇" in page


def test_take_over_http(city, live, client):
    call = backup_call_create(actor=city.staff, contact=live)
    client.force_login(city.supervisor)
    response = client.post(f"/backup-calls/{call.pk}/take/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["call"]["taken_by"] == "市民 課長補佐"
    client.force_login(city.manager)
    response = client.post(f"/backup-calls/{call.pk}/take/", HTTP_ACCEPT="application/json")
    assert response.status_code == 409 and "市民 課長補佐さんが対応しています" in response.json()["message"]
    client.force_login(city.zeimu_staff)
    assert client.post(f"/backup-calls/{call.pk}/take/", HTTP_ACCEPT="application/json").status_code == 404
    client.force_login(city.staff)
    assert client.post(f"/backup-calls/{call.pk}/take/", HTTP_ACCEPT="application/json").status_code == 403
    client.force_login(city.staff)
    page = client.get(f"/contacts/{live.pk}/").content.decode()
    assert "市民 課長補佐さんが向かっています" in page and "向かいます" in page


def test_other_department_cannot_call_on_the_contact(city, live, client):
    client.force_login(city.zeimu_staff)
    assert client.post(f"/backup-calls/contacts/{live.pk}/call/").status_code == 404
    assert not BackupCall.objects.exists()


def test_alert_container_on_every_page(city, client_for):
    page = client_for(city.supervisor).get("/").content.decode()
    assert 'id="realtime-alerts"' in page and "js/realtime.js" in page and 'data-label-take="向かいます"' in page


def test_close_from_the_contact_page(city, live, client_for):
    call = backup_call_create(actor=city.staff, contact=live)
    client = client_for(city.staff)
    assert "応援要請を終了する" in client.get(f"/contacts/{live.pk}/").content.decode()
    response = client.post(f"/backup-calls/{call.pk}/resolve/")
    assert response.status_code == 302 and response.url == f"/contacts/{live.pk}/"
    call.refresh_from_db()
    assert call.resolved_by == city.staff and call.resolved_at is not None
    page = client.get(f"/contacts/{live.pk}/").content.decode()
    assert "応援要請を終了する" not in page and "応援要請を終了しました。" in page
    assert AuditEntry.objects.filter(action="backup.call.resolved").exists()


def test_the_call_stands_and_is_sent_when_its_case_cannot_be_opened(
    city, monkeypatch, django_capture_on_commit_callbacks
):
    """The case is opened after the call is stored and its alert queued: a failure
    there is logged, and the call for help is neither lost nor held up."""
    import cases.services

    def broken(**kwargs):
        raise RuntimeError("case bookkeeping failed")

    monkeypatch.setattr(cases.services, "case_open_or_join", broken)
    published = []
    monkeypatch.setattr("realtime.events.publish", lambda groups, event: published.append(event["kind"]))
    live = contact_start(actor=city.staff, channel="counter")
    with django_capture_on_commit_callbacks(execute=True):
        call = backup_call_create(actor=city.staff, contact=live)
    assert call.created and BackupCall.objects.filter(pk=call.pk, resolved_at__isnull=True).exists()
    assert published == ["backup_call.created"]


def test_the_caller_is_told_when_the_call_escalates(city, live, client_for):
    """Not 「対応者を待っています…」 for ever: the contact page (and every event the
    caller's page receives) says the call moved to the managers, then the specialist section."""
    call = backup_call_create(actor=city.staff, contact=live)
    client = client_for(city.staff)
    page = client.get(f"/contacts/{live.pk}/").content.decode()
    assert "応援を要請しました。対応者を待っています…" in page
    backup_call_escalate_due(now=call.created_at + dt.timedelta(seconds=61))
    page = client.get(f"/contacts/{live.pk}/").content.decode()
    assert "応答がないため管理職へ引き上げました。対応者を待っています…" in page
    backup_call_escalate_due(now=call.created_at + dt.timedelta(seconds=200))
    page = client.get(f"/contacts/{live.pk}/").content.decode()
    assert "応答がないため専門部署へ引き上げました。対応者を待っています…" in page
    response = client.post(f"/backup-calls/{call.pk}/resolve/", HTTP_ACCEPT="application/json")
    assert response.json()["call"]["level_note"] == "応答がないため専門部署へ引き上げました"


def test_alert_container_says_who_is_alerted_and_carries_the_new_labels(city, client_for):
    page = client_for(city.staff).get("/").content.decode()
    assert 'data-alerted="false"' in page and 'data-label-own-call="あなたの応援要請"' in page
    assert 'data-label-case="事案"' in page and 'data-label-waiting-escalated="対応者を待っています…"' in page
    page = client_for(city.supervisor).get("/").content.decode()
    assert 'data-alerted="true"' in page
