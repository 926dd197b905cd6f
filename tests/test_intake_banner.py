"""The intake banner: starting a contact with a flagged, warned or restricted
resident shows the counts, the flag state, the active measures and whom to
call, before anything else; nothing for other residents; few queries."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from mamoru.policy.loader import current as current_policy
from mamoru.policy.loader import reset_cache
from records.models import Contact
from records.services import ContactData, contact_create
from repetition import selectors
from repetition.choices import Decision, FlagStatus
from repetition.models import RecountRequest, RepetitionFlag
from repetition.services import repetition_evaluate, repetition_flag_decide

from .factories import make_resident

MINATO = Path(__file__).parent / "packs" / "minato.toml"


def add(actor, resident, *, hours, channel="counter", department=None):
    at = timezone.now() - dt.timedelta(hours=hours)
    return contact_create(
        actor=actor,
        data=ContactData(
            department=department or actor.department,
            channel=channel,
            staff=actor,
            started_at=at,
            ended_at=at + dt.timedelta(minutes=1),
            resident=resident,
        ),
    )


def contacts_rule():
    return next(rule for rule in current_policy().repetition_rules if rule.kind == "contacts_in_days")


def longest_days():
    return max(rule.days for rule in current_policy().repetition_rules)


@pytest.fixture
def flagged(city):
    """A resident over the contacts rule: phone calls and counter visits in two departments."""
    resident = make_resident(city.staff)
    rule = contacts_rule()
    for i in range(rule.threshold - 2):
        add(city.staff, resident, hours=30 + i, channel="phone")
    add(city.specialist, resident, hours=60, department=city.zeimu)
    add(city.specialist, resident, hours=61, department=city.zeimu)
    repetition_evaluate(resident=resident)
    assert RepetitionFlag.objects.filter(resident=resident, rule_code=rule.code, status=FlagStatus.OPEN).exists()
    return resident


def start_contact(client, resident, channel="counter"):
    answer = client.post(reverse("records:contact_start"), {"channel": channel, "resident": resident.pk})
    assert answer.status_code == 302
    contact = Contact.objects.latest("pk")
    assert contact.resident_id == resident.pk
    return client.get(answer["Location"]).content.decode()


def test_live_contact_page_shows_counts_state_and_whom_to_call(city, client_for, flagged):
    rule = contacts_rule()
    text = start_contact(client_for(city.staff), flagged)
    pack = current_policy()
    # The contact just started counts too: threshold - 2 calls, 2 visits in 税務課, 1 visit now.
    expected = f"過去{longest_days()}日で2部署・{rule.threshold + 1}回"
    assert expected in text
    phone_rules = [r for r in pack.repetition_rules if "phone" in r.channels]
    if phone_rules:
        assert f"うち{pack.channel_name('phone')}{rule.threshold - 2}回" in text
    assert rule.describe() in text
    assert "要確認" in text
    assert pack.city.specialist_section in text
    assert pack.city.contact in text
    # Before anything else: the banner comes before the page's heading.
    assert text.index("intake-banner") < text.index("<h1>", text.index('id="main"'))


def test_the_resident_page_starts_a_contact_with_that_resident(city, client_for, flagged):
    """From the resident's page, one click starts the contact with the resident
    chosen, so the banner is there from the first second."""
    client = client_for(city.staff)
    page = client.get(reverse("people:resident_detail", args=[flagged.pk])).content.decode()
    assert f'action="{reverse("records:contact_start")}"' in page
    assert f'name="resident" value="{flagged.pk}"' in page
    assert "intake-banner" in start_contact(client, flagged, channel="phone")


def test_the_live_page_counts_a_contact_the_background_has_not_counted_yet(city, client_for):
    """The contact that reaches the threshold was saved a moment ago: its
    recount still waits, and the live page of the next contact counts it
    first, so the banner shows the flag from the first second."""
    resident = make_resident(city.staff)
    rule = contacts_rule()
    for i in range(rule.threshold):
        add(city.staff, resident, hours=2 + i)
    assert not RepetitionFlag.objects.filter(resident=resident).exists()
    text = start_contact(client_for(city.staff), resident)
    assert "intake-banner" in text and rule.describe() in text
    assert RepetitionFlag.objects.filter(resident=resident, rule_code=rule.code, status=FlagStatus.OPEN).exists()
    assert not RecountRequest.objects.filter(resident_id=resident.pk).exists()


def test_an_ended_contact_page_leaves_the_recount_to_the_background(city, client_for):
    resident = make_resident(city.staff)
    contact = add(city.staff, resident, hours=2)
    client_for(city.staff).get(reverse("records:contact_detail", args=[contact.pk]))
    assert RecountRequest.objects.filter(resident_id=resident.pk).exists()


def test_banner_absent_for_a_resident_without_flags_or_measures(city, client_for):
    quiet = make_resident(city.staff, name="佐藤 花子", kana="さとう はなこ", phones=["0287-00-0000"])
    add(city.staff, quiet, hours=5)
    repetition_evaluate(resident=quiet)
    text = start_contact(client_for(city.staff), quiet)
    assert "intake-banner" not in text
    assert current_policy().city.contact not in text


def test_banner_absent_after_dismissal_and_shows_a_confirmation(city, client_for, flagged):
    flags = list(RepetitionFlag.objects.filter(resident=flagged, status=FlagStatus.OPEN))
    for flag in flags:
        repetition_flag_decide(actor=city.specialist, flag=flag, decision=Decision.DISMISSED, reason="正当な手続き")
    client = client_for(city.staff)
    contact = add(city.staff, flagged, hours=1)
    page = client.get(reverse("records:contact_detail", args=[contact.pk])).content.decode()
    assert "intake-banner" not in page

    repetition_flag_decide(
        actor=city.specialist, flag=flags[0], decision=Decision.CONFIRMED, reason="同じ要求の繰り返し"
    )
    page = client.get(reverse("records:contact_detail", args=[contact.pk])).content.decode()
    assert "intake-banner" in page
    assert "繰り返しに該当" in page


def test_banner_on_the_contact_form(city, client_for, flagged):
    contact = add(city.staff, flagged, hours=1)
    page = client_for(city.staff).get(reverse("records:contact_edit", args=[contact.pk])).content.decode()
    assert "intake-banner" in page
    assert current_policy().city.specialist_section in page


def test_active_measure_and_its_conditions_shown(city, client_for, monkeypatch):
    resident = make_resident(city.staff, name="高橋 三郎", kana="たかはし さぶろう", phones=["0287-22-2222"])

    class Restriction:
        title = "対応制限"
        ends_on = timezone.localdate() + dt.timedelta(days=90)

        def conditions_text(self):
            return ["書面でのやり取りに限る", "1回の対応は15分以内"]

    monkeypatch.setattr(selectors, "active_measures", lambda *, resident: [Restriction()])
    contact = add(city.staff, resident, hours=1)
    page = client_for(city.staff).get(reverse("records:contact_detail", args=[contact.pk])).content.decode()
    assert "対応制限" in page
    assert "書面でのやり取りに限る" in page and "1回の対応は15分以内" in page
    assert f"過去{longest_days()}日で1部署・1回" in page


def test_another_city_names_its_own_section(city, client_for, settings):
    settings.MAMORU_POLICY_PACK = str(MINATO)
    reset_cache()
    pack = current_policy()
    rule = pack.repetition_rules[0]
    resident = make_resident(city.staff)
    for i in range(rule.threshold):
        add(city.staff, resident, hours=2 + i)
    repetition_evaluate(resident=resident)
    text = start_contact(client_for(city.staff), resident)
    assert pack.city.specialist_section in text and pack.city.contact in text
    assert f"過去{rule.days}日で1部署・{rule.threshold + 1}回" in text
    assert "大田原" not in text.split("intake-banner", 1)[1].split("</section>", 1)[0]


def test_intake_summary_costs_few_queries(city, flagged, django_assert_max_num_queries):
    # The policy pack's freshness check, the flags, the measures app's (at most two), one count.
    with django_assert_max_num_queries(5):
        summary = selectors.intake_summary(resident=flagged)
    assert summary.shown and summary.contact_count == contacts_rule().threshold


def test_unflagged_resident_costs_fewer_queries(city, django_assert_max_num_queries):
    quiet = make_resident(city.staff, name="佐藤 花子", kana="さとう はなこ", phones=["0287-00-0000"])
    with django_assert_max_num_queries(4):
        summary = selectors.intake_summary(resident=quiet)
    assert not summary.shown and summary.contact_count == 0


def test_pick_list_badges_flagged_residents_only(city, client_for, flagged):
    make_resident(city.staff, name="山田 花子", kana="やまだ はなこ", phones=["0287-33-3333"])
    page = client_for(city.staff).get(reverse("people:resident_pick"), {"q": "山田"}).content.decode()
    assert page.count("繰り返し要確認") == 1
    first, second = page.index("山田 太郎"), page.index("山田 花子")
    badge = page.index("繰り返し要確認")
    assert min(first, second) < badge
    assert (first < badge < second) if first < second else (badge > first)
