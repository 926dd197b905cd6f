"""Repetition (繰り返し) detected from the data: each rule kind at its threshold
and one below, channels, soft-deleted contacts, two cities' packs, one open
flag per rule, dismissal then new contacts, the specialist's decision and the
繰り返しの確認 pages."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from mamoru.policy.loader import current as current_policy
from mamoru.policy.loader import reset_cache
from records.services import ContactData, contact_create, contact_delete
from repetition.choices import Decision, FlagStatus
from repetition.models import RecountRequest, RepetitionDecision, RepetitionFlag
from repetition.services import (
    repetition_evaluate,
    repetition_evaluate_all,
    repetition_flag_decide,
    repetition_recount_pending,
)

from .factories import make_resident

MINATO = Path(__file__).parent / "packs" / "minato.toml"


def rule_of(kind):
    return next(rule for rule in current_policy().repetition_rules if rule.kind == kind)


def add(actor, resident, *, at, minutes=1, department=None, channel="counter", summary=""):
    """A contact of ``resident`` started at ``at``, recorded through the service."""
    return contact_create(
        actor=actor,
        data=ContactData(
            department=department or actor.department,
            channel=channel,
            staff=actor,
            started_at=at,
            ended_at=at + dt.timedelta(minutes=minutes),
            resident=resident,
            summary=summary,
        ),
    )


def hours_ago(hours):
    return timezone.now() - dt.timedelta(hours=hours)


def flags_for(resident, rule, status=FlagStatus.OPEN):
    return list(RepetitionFlag.objects.filter(resident=resident, rule_code=rule.code, status=status))


@pytest.fixture
def resident(city):
    return make_resident(city.staff)


# --- each rule kind: fires at its threshold, not one below -------------------------------------------


def test_contacts_in_days_fires_at_threshold_not_below(city, resident):
    rule = rule_of("contacts_in_days")
    made = [add(city.staff, resident, at=hours_ago(2 + i)) for i in range(rule.threshold - 1)]
    repetition_evaluate(resident=resident)
    assert flags_for(resident, rule) == []

    made.append(add(city.staff, resident, at=hours_ago(1)))
    fired = repetition_evaluate(resident=resident)
    flag = flags_for(resident, rule)[0]
    assert flag in fired
    assert flag.contact_count == rule.threshold
    assert set(flag.contacts.values_list("pk", flat=True)) == {c.pk for c in made}
    assert flag.rule_description == rule.describe()
    assert flag.status == FlagStatus.OPEN


def test_contacts_older_than_the_window_do_not_count(city, resident):
    rule = rule_of("contacts_in_days")
    for i in range(rule.threshold - 1):
        add(city.staff, resident, at=hours_ago(2 + i))
    add(city.staff, resident, at=timezone.now() - dt.timedelta(days=rule.days, hours=1))
    repetition_evaluate(resident=resident)
    assert flags_for(resident, rule) == []


def test_departments_in_days_fires_at_threshold_not_below(city, resident):
    rule = rule_of("departments_in_days")
    departments = [city.shimin, city.zeimu, city.somu]
    assert rule.threshold <= len(departments), "the test city needs as many departments as the rule"
    for i, department in enumerate(departments[: rule.threshold - 1]):
        add(city.specialist, resident, at=hours_ago(5 + i), department=department)
    # Another contact with a department already counted adds no department.
    add(city.specialist, resident, at=hours_ago(4), department=departments[0])
    repetition_evaluate(resident=resident)
    assert flags_for(resident, rule) == []

    add(city.specialist, resident, at=hours_ago(1), department=departments[rule.threshold - 1])
    repetition_evaluate(resident=resident)
    flag = flags_for(resident, rule)[0]
    assert flag.department_count == rule.threshold


def test_contacts_in_day_counts_only_its_channels_on_one_calendar_day(city, resident):
    rule = rule_of("contacts_in_day")
    assert rule.channels, "Ohtawara's one-day rule counts phone calls"
    channel = rule.channels[0]
    yesterday = timezone.localtime().date() - dt.timedelta(days=1)
    base = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(9, 0)))
    for i in range(rule.threshold - 1):
        add(city.staff, resident, at=base + dt.timedelta(minutes=30 * i), channel=channel)
    # Counter visits the same day are not calls; a call two days before is another day.
    add(city.staff, resident, at=base + dt.timedelta(hours=5), channel="counter")
    add(city.staff, resident, at=base - dt.timedelta(days=2), channel=channel)
    repetition_evaluate(resident=resident)
    assert flags_for(resident, rule) == []

    add(city.staff, resident, at=base + dt.timedelta(hours=6), channel=channel)
    repetition_evaluate(resident=resident)
    flag = flags_for(resident, rule)[0]
    assert flag.contact_count == rule.threshold
    assert set(flag.contacts.values_list("channel", flat=True)) == {channel}
    assert timezone.localtime(flag.window_start).date() == yesterday


def test_minutes_in_days_fires_at_threshold_not_below(city, resident):
    rule = rule_of("minutes_in_days")
    assert rule.threshold > 1
    add(city.staff, resident, at=hours_ago(30), minutes=rule.threshold - 1)
    repetition_evaluate(resident=resident)
    assert flags_for(resident, rule) == []

    add(city.staff, resident, at=hours_ago(3), minutes=1)
    repetition_evaluate(resident=resident)
    flag = flags_for(resident, rule)[0]
    assert flag.minutes == rule.threshold


def test_soft_deleted_contacts_never_count(city, resident):
    rule = rule_of("contacts_in_days")
    made = [add(city.staff, resident, at=hours_ago(2 + i)) for i in range(rule.threshold)]
    contact_delete(actor=city.supervisor, contact=made[0], reason="別の住民等の記録を誤って入力")
    repetition_evaluate(resident=resident)
    assert flags_for(resident, rule) == []


def test_open_flag_withdrawn_when_its_evidence_is_deleted(city, resident):
    rule = rule_of("contacts_in_days")
    made = [add(city.staff, resident, at=hours_ago(2 + i)) for i in range(rule.threshold)]
    repetition_evaluate(resident=resident)
    flag = flags_for(resident, rule)[0]
    contact_delete(actor=city.supervisor, contact=made[-1], reason="誤入力")
    repetition_evaluate(resident=resident)
    assert not RepetitionFlag.objects.filter(pk=flag.pk).exists()
    assert AuditEntry.objects.filter(action="repetition.flag.withdrawn", object_id=str(flag.pk)).exists()


def test_the_two_cities_packs_give_different_results(city, resident, settings):
    # Three counter visits in a week: below Ohtawara's rules, at Minato's weekly rule.
    for i in range(3):
        add(city.staff, resident, at=hours_ago(24 * i + 2))
    assert repetition_evaluate(resident=resident) == []

    settings.MAMORU_POLICY_PACK = str(MINATO)
    reset_cache()
    minato_rule = current_policy().repetition_rules[0]
    assert minato_rule.threshold <= 3 and minato_rule.days >= 5
    fired = repetition_evaluate(resident=resident)
    assert [flag.rule_code for flag in fired] == [minato_rule.code]
    assert fired[0].rule_description == minato_rule.describe()


def test_a_pack_without_rules_flags_nobody(city, resident, settings, tmp_path):
    text = MINATO.read_text(encoding="utf-8")
    start = text.index("[[repetition_rules]]")
    end = text.index("[[case_states]]")
    pack = tmp_path / "norules.toml"
    pack.write_text(text[:start] + text[end:], encoding="utf-8")
    settings.MAMORU_POLICY_PACK = str(pack)
    reset_cache()
    for i in range(10):
        add(city.staff, resident, at=hours_ago(i + 1))
    assert repetition_evaluate(resident=resident) == []
    assert not RepetitionFlag.objects.exists()


# --- one open flag per resident and rule ------------------------------------------------------------------


def test_re_evaluation_updates_the_open_flag_instead_of_stacking(city, resident):
    rule = rule_of("contacts_in_days")
    for i in range(rule.threshold):
        add(city.staff, resident, at=hours_ago(3 + i))
    first = repetition_evaluate(resident=resident)
    again = repetition_evaluate(resident=resident)
    assert [f.pk for f in first if f.rule_code == rule.code] == [f.pk for f in again if f.rule_code == rule.code]

    newest = add(city.staff, resident, at=hours_ago(1))
    repetition_evaluate(resident=resident)
    flags = flags_for(resident, rule)
    assert len(flags) == 1
    assert flags[0].contact_count == rule.threshold + 1
    assert flags[0].contacts.filter(pk=newest.pk).exists()
    assert AuditEntry.objects.filter(action="repetition.flag.detected", object_id=str(flags[0].pk)).count() == 1
    assert AuditEntry.objects.filter(action="repetition.flag.updated", object_id=str(flags[0].pk)).count() == 1


def test_after_dismissal_the_rule_fires_again_only_on_new_contacts(city, resident):
    rule = rule_of("contacts_in_days")
    reviewed = [add(city.staff, resident, at=hours_ago(40 + i)) for i in range(rule.threshold)]
    repetition_evaluate(resident=resident)
    flag = flags_for(resident, rule)[0]
    repetition_flag_decide(
        actor=city.specialist, flag=flag, decision=Decision.DISMISSED, reason="介護保険の手続きで必要な問い合わせ"
    )
    # The same evidence does not come back, nor with fewer new contacts than the rule needs.
    assert repetition_evaluate(resident=resident) == []
    new = [add(city.staff, resident, at=hours_ago(20 + i)) for i in range(rule.threshold - 1)]
    repetition_evaluate(resident=resident)
    assert flags_for(resident, rule) == []

    new.append(add(city.staff, resident, at=hours_ago(1)))
    repetition_evaluate(resident=resident)
    again = flags_for(resident, rule)[0]
    assert again.pk != flag.pk
    assert set(again.contacts.values_list("pk", flat=True)) == {c.pk for c in new}
    assert not again.contacts.filter(pk__in=[c.pk for c in reviewed]).exists()


# --- the decision -------------------------------------------------------------------------------------------


@pytest.fixture
def open_flag(city, resident):
    rule = rule_of("contacts_in_days")
    for i in range(rule.threshold):
        add(city.staff, resident, at=hours_ago(2 + i), summary=f"転居の手続き{i}")
    repetition_evaluate(resident=resident)
    return flags_for(resident, rule)[0]


@pytest.mark.parametrize("role", ["staff", "supervisor", "manager", "admin"])
def test_only_the_specialist_section_decides(city, open_flag, role):
    with pytest.raises(PermissionDenied):
        repetition_flag_decide(actor=getattr(city, role), flag=open_flag, decision=Decision.CONFIRMED, reason="理由")
    open_flag.refresh_from_db()
    assert open_flag.status == FlagStatus.OPEN
    assert not RepetitionDecision.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_needs_a_reason(city, open_flag, reason):
    with pytest.raises(ValidationError) as error:
        repetition_flag_decide(actor=city.specialist, flag=open_flag, decision=Decision.CONFIRMED, reason=reason)
    assert "判断の理由を入力してください。" in error.value.message_dict["reason"]
    open_flag.refresh_from_db()
    assert open_flag.status == FlagStatus.OPEN
    assert not RepetitionDecision.objects.exists()


def test_decisions_are_reversible_and_all_kept(city, open_flag):
    repetition_flag_decide(
        actor=city.specialist, flag=open_flag, decision=Decision.CONFIRMED, reason="同じ要求の繰り返し"
    )
    repetition_flag_decide(
        actor=city.specialist, flag=open_flag, decision=Decision.DISMISSED, reason="再確認の結果、正当な手続き"
    )
    open_flag.refresh_from_db()
    assert open_flag.status == FlagStatus.DISMISSED
    assert open_flag.decision_reason == "再確認の結果、正当な手続き"
    assert open_flag.decided_by == city.specialist
    assert list(open_flag.decisions.order_by("decided_at", "id").values_list("decision", flat=True)) == [
        Decision.CONFIRMED,
        Decision.DISMISSED,
    ]
    actions = set(AuditEntry.objects.filter(object_id=str(open_flag.pk)).values_list("action", flat=True))
    assert {"repetition.flag.confirmed", "repetition.flag.dismissed"} <= actions
    with pytest.raises(ValidationError):
        repetition_flag_decide(actor=city.specialist, flag=open_flag, decision=Decision.DISMISSED, reason="もう一度")


# --- the hook, the nightly run, the cost ---------------------------------------------------------------------


def test_saving_a_contact_asks_for_a_recount_that_the_queue_runs(city, resident):
    """Saving does not count the rules in the request: it leaves one request
    per resident, and the recount (background loop, banner, cron) counts."""
    rule = rule_of("contacts_in_days")
    for i in range(rule.threshold):
        add(city.staff, resident, at=hours_ago(2 + i))
    assert flags_for(resident, rule) == []
    assert list(RecountRequest.objects.values_list("resident_id", flat=True)) == [resident.pk]
    assert repetition_recount_pending() == 1
    assert len(flags_for(resident, rule)) == 1
    assert not RecountRequest.objects.exists()
    assert repetition_recount_pending() == 0


def test_a_contact_saved_during_a_recount_keeps_its_request(city, resident, monkeypatch):
    """The request is removed only if no contact came in while counting; a
    contact saved meanwhile is counted on the next pass."""
    from repetition import services

    rule = rule_of("contacts_in_days")
    for i in range(rule.threshold - 1):
        add(city.staff, resident, at=hours_ago(2 + i))
    real = services.repetition_evaluate

    def evaluate_while_a_contact_arrives(*, resident):
        result = real(resident=resident)
        add(city.staff, resident, at=hours_ago(1))  # saved by someone else meanwhile
        return result

    monkeypatch.setattr(services, "repetition_evaluate", evaluate_while_a_contact_arrives)
    assert repetition_recount_pending() == 1
    assert flags_for(resident, rule) == []
    assert RecountRequest.objects.filter(resident_id=resident.pk).exists()
    monkeypatch.setattr(services, "repetition_evaluate", real)
    assert repetition_recount_pending() == 1
    assert len(flags_for(resident, rule)) == 1
    assert not RecountRequest.objects.exists()


def test_a_failed_recount_is_logged_and_kept_for_the_next_pass(city, resident, monkeypatch, caplog):
    from repetition import services

    other = make_resident(city.staff, name="佐藤 花子", kana="さとう はなこ", phones=["0287-00-0000"])
    add(city.staff, resident, at=hours_ago(2))
    add(city.staff, other, at=hours_ago(1))
    real = services.repetition_evaluate

    def fail_for_the_first(*, resident):
        if resident.pk != other.pk:
            raise RuntimeError("database hiccup")
        return real(resident=resident)

    monkeypatch.setattr(services, "repetition_evaluate", fail_for_the_first)
    assert repetition_recount_pending() == 1
    assert "repetition recount failed" in caplog.text
    assert list(RecountRequest.objects.values_list("resident_id", flat=True)) == [resident.pk]


def test_the_pending_command_counts_only_the_waiting_residents(city, resident):
    from io import StringIO

    rule = rule_of("contacts_in_days")
    for i in range(rule.threshold):
        add(city.staff, resident, at=hours_ago(2 + i))
    out = StringIO()
    call_command("repetition_evaluate", "--pending", stdout=out)
    assert "再集計待ちの住民等 1 名を確認しました。" in out.getvalue()
    assert len(flags_for(resident, rule)) == 1


def test_the_nightly_command_evaluates_every_resident(city, resident):
    rule = rule_of("contacts_in_days")
    quiet = make_resident(city.staff, name="佐藤 花子", kana="さとう はなこ", phones=["0287-00-0000"])
    for i in range(rule.threshold):
        add(city.staff, resident, at=hours_ago(2 + i))
    add(city.staff, quiet, at=hours_ago(3))
    from io import StringIO

    out = StringIO()
    call_command("repetition_evaluate", stdout=out)
    assert "再集計待ちの住民等 2 名と、期間内に対応のある住民等 2 名を確認しました。" in out.getvalue()
    assert len(flags_for(resident, rule)) == 1
    assert not RepetitionFlag.objects.filter(resident=quiet).exists()
    assert not RecountRequest.objects.exists()
    summary = repetition_evaluate_all()
    assert summary.created == 0 and summary.residents == 2 and summary.pending == 0


def test_evaluation_costs_a_few_queries(city, resident, django_assert_max_num_queries):
    longest = max(rule.days for rule in current_policy().repetition_rules)
    for i in range(20):
        add(city.staff, resident, at=timezone.now() - dt.timedelta(days=longest + 1 + i))
    # A savepoint and its release, the policy pack's freshness check, then four reads:
    # the resident (locked), the contacts of the longest window, decided contacts, open flags.
    with django_assert_max_num_queries(7):
        assert repetition_evaluate(resident=resident) == []

    rule = rule_of("contacts_in_days")
    for i in range(rule.threshold * 3):
        add(city.staff, resident, at=hours_ago(2 + i))
    assert repetition_evaluate(resident=resident)
    # Re-evaluating with the same evidence: the reads and one update per firing rule.
    fired_rules = RepetitionFlag.objects.filter(status=FlagStatus.OPEN).count()
    with django_assert_max_num_queries(7 + 2 * fired_rules):
        repetition_evaluate(resident=resident)


# --- the pages ----------------------------------------------------------------------------------------------------


def test_the_list_tells_how_many_wait_for_a_recount_and_counts_them_on_request(city, client_for, resident):
    rule = rule_of("contacts_in_days")
    for i in range(rule.threshold):
        add(city.staff, resident, at=hours_ago(2 + i))
    client = client_for(city.specialist)
    page = client.get(reverse("repetition:flag_list")).content.decode()
    assert "基準の再集計を待っている住民等が1名います" in page
    assert resident.name not in page
    done = client.post(reverse("repetition:recount"), follow=True).content.decode()
    assert "1名の住民等について基準を確認しました。" in done
    assert resident.name in done and "再集計を待っている" not in done
    assert len(flags_for(resident, rule)) == 1


def test_only_the_specialist_section_asks_for_a_recount(city, client_for, resident):
    add(city.staff, resident, at=hours_ago(2))
    assert client_for(city.manager).post(reverse("repetition:recount")).status_code == 403
    assert RecountRequest.objects.exists()


def test_specialist_list_shows_open_flags_first_with_their_facts(city, client_for, open_flag, resident):
    other = make_resident(city.staff, name="鈴木 次郎", kana="すずき じろう", phones=["0287-11-1111"])
    rule = rule_of("contacts_in_days")
    for i in range(rule.threshold):
        add(city.staff, other, at=hours_ago(100 + i))
    repetition_evaluate(resident=other)
    dismissed = flags_for(other, rule)[0]
    repetition_flag_decide(
        actor=city.specialist, flag=dismissed, decision=Decision.DISMISSED, reason="正当な問い合わせ"
    )

    page = client_for(city.specialist).get(reverse("repetition:flag_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert rule.describe() in text
    assert text.index(resident.name) < text.index(other.name)
    assert city.shimin.name in text

    only_dismissed = client_for(city.specialist).get(reverse("repetition:flag_list"), {"status": "dismissed"})
    assert other.name in only_dismissed.content.decode()
    assert resident.name not in only_dismissed.content.decode()


@pytest.mark.parametrize("role", ["staff", "supervisor", "manager", "zeimu_staff", "admin"])
def test_only_the_specialist_section_sees_the_pages(city, client_for, open_flag, role):
    client = client_for(getattr(city, role))
    assert client.get(reverse("repetition:flag_list")).status_code == 403
    assert client.get(reverse("repetition:flag_detail", args=[open_flag.pk])).status_code == 404
    answer = client.post(
        reverse("repetition:flag_decide", args=[open_flag.pk]), {"decision": "confirmed", "reason": "理由"}
    )
    assert answer.status_code == 404
    open_flag.refresh_from_db()
    assert open_flag.status == FlagStatus.OPEN


def test_detail_lists_the_contacts_and_records_a_decision(city, client_for, open_flag):
    client = client_for(city.specialist)
    page = client.get(reverse("repetition:flag_detail", args=[open_flag.pk]))
    text = page.content.decode()
    assert "転居の手続き0" in text and f"転居の手続き{open_flag.contact_count - 1}" in text
    assert current_policy().channel_name("counter") in text

    refused = client.post(
        reverse("repetition:flag_decide", args=[open_flag.pk]), {"decision": "confirmed", "reason": ""}
    )
    assert "判断の理由を入力してください。" in refused.content.decode()
    open_flag.refresh_from_db()
    assert open_flag.status == FlagStatus.OPEN

    done = client.post(
        reverse("repetition:flag_decide", args=[open_flag.pk]), {"decision": "confirmed", "reason": "同じ要求を毎日"}
    )
    assert done.status_code == 302
    open_flag.refresh_from_db()
    assert open_flag.status == FlagStatus.CONFIRMED
    assert "同じ要求を毎日" in client.get(reverse("repetition:flag_detail", args=[open_flag.pk])).content.decode()


def test_contacts_saved_in_one_transaction_ask_once_per_resident(city, resident):
    from django.db import transaction

    other = make_resident(city.staff, name="佐藤 花子", kana="さとう はなこ", phones=["0287-00-0000"])
    with transaction.atomic():
        for i in range(5):
            add(city.staff, resident, at=hours_ago(2 + i))
        add(city.staff, other, at=hours_ago(1))
    assert sorted(RecountRequest.objects.values_list("resident_id", flat=True)) == sorted([resident.pk, other.pk])


def test_a_contact_rolled_back_leaves_no_request(city, resident):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        add(city.staff, resident, at=hours_ago(2))
        raise RuntimeError("the caller gives up")
    assert not RecountRequest.objects.exists()


def test_editing_only_the_texts_asks_for_no_recount_but_moving_a_contact_asks_for_both(city):
    """The rules count dates, channels, departments and residents: an edit of
    the texts leaves them alone; a contact moved to another resident is
    counted again for both."""
    from people.services import resident_create
    from records.services import ContactData, contact_create, contact_update

    first = resident_create(actor=city.staff, name="甲野 太郎")
    second = resident_create(actor=city.staff, name="乙野 次郎")
    contact = contact_create(
        actor=city.staff,
        data=ContactData(
            department=city.shimin,
            channel="phone",
            staff=city.staff,
            resident=first,
            started_at=timezone.now() - dt.timedelta(minutes=20),
            ended_at=timezone.now(),
            summary="問い合わせ",
        ),
    )
    RecountRequest.objects.all().delete()

    def asked():
        return sorted(RecountRequest.objects.values_list("resident_id", flat=True))

    data = ContactData.from_contact(contact)
    data.summary = "問い合わせ（追記）"
    contact = contact_update(actor=city.staff, contact=contact, data=data)
    assert asked() == []
    data = ContactData.from_contact(contact)
    data.ended_at = contact.ended_at + dt.timedelta(minutes=5)  # the duration counts
    contact = contact_update(actor=city.staff, contact=contact, data=data)
    assert asked() == [first.pk]
    RecountRequest.objects.all().delete()
    data = ContactData.from_contact(contact)
    data.resident = second
    contact_update(actor=city.staff, contact=contact, data=data)
    assert asked() == sorted([first.pk, second.pk])
