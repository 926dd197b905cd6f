"""The demo data (``seed_demo``): accounts that sign in, every category, records
that read and search like the app's own, and the same data for the same seed."""

import datetime as dt
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import Department, User
from demo.city import DEMO_ACCOUNTS, DEMO_PASSWORD
from demo.generator import seed_demo
from mamoru.policy.loader import current as current_policy
from records.models import Contact, ContactCategory, ContactRevision
from records.services import ContactData, contact_build, contact_snapshot

TODAY = dt.date(2026, 4, 1)
SMALL = {"contacts": 200, "residents": 30, "today": TODAY}


@pytest.fixture
def seeded(db):
    return seed_demo(seed=7, **SMALL)


def test_demo_accounts_sign_in_with_the_demo_password(seeded):
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(DEMO_PASSWORD), account.username
        assert user.role == account.role
        assert (user.department.code if user.department else None) == account.department
    others = User.objects.exclude(username__in=[a.username for a in DEMO_ACCOUNTS])
    assert others.count() >= 20
    assert all(user.check_password(DEMO_PASSWORD) and user.full_name for user in others)


def test_every_category_appears_and_harassment_is_a_minority(seeded):
    assert set(ContactCategory.objects.values_list("code", flat=True)) == set(current_policy().category_codes())
    total = Contact.objects.count()
    assert total == 200
    assert 0.08 <= Contact.objects.filter(harassment="yes").count() / total <= 0.35
    assert Contact.objects.filter(harassment="unsure").exists()
    assert not Contact.objects.filter(harassment="yes", categories__isnull=True).exists()


def test_records_are_what_the_services_would_have_saved(seeded):
    for contact in Contact.objects.filter(harassment="yes").prefetch_related("categories", "other_staff")[:20]:
        rebuilt = contact_build(actor=contact.staff, data=ContactData.from_contact(contact))
        assert rebuilt.search_text == contact.search_text
        assert rebuilt.duration_seconds == contact.duration_seconds > 0
        revision = ContactRevision.objects.get(contact=contact)
        assert revision.version == contact.version == 1
        assert revision.snapshot == contact_snapshot(contact)
        assert contact.started_at.date() < TODAY and contact.created_at >= contact.ended_at


def test_a_quoted_phrase_is_found_through_the_list_page(seeded, client):
    contact = Contact.objects.filter(harassment="yes").order_by("id").first()
    phrase = re.search(r"「([^」]{3,})」", contact.words_and_behaviour).group(1)
    client.force_login(User.objects.get(username="specialist1"))
    response = client.get("/contacts/", {"q": phrase})
    assert response.status_code == 200
    assert contact.number in response.content.decode()


def test_demo_pages_render(seeded, client):
    client.force_login(User.objects.get(username="staff1"))
    contact = Contact.objects.filter(department__code="shimin", harassment="yes").first()
    resident = Contact.objects.filter(department__code="shimin", resident__isnull=False).first().resident
    for url in (
        "/",
        "/contacts/",
        f"/contacts/{contact.pk}/",
        f"/contacts/{contact.pk}/history/",
        f"/residents/{resident.pk}/",
    ):
        assert client.get(url).status_code == 200, url


def _fingerprint(seed: int) -> list[tuple]:
    """Seed inside a savepoint, read the data back, and roll it away."""
    with transaction.atomic():
        seed_demo(seed=seed, **SMALL)
        rows = list(
            Contact.objects.order_by("started_at", "id").values_list(
                "department__code",
                "channel",
                "staff__username",
                "resident__name",
                "resident_description",
                "started_at",
                "duration_seconds",
                "summary",
                "words_and_behaviour",
                "harassment",
            )
        )
        transaction.set_rollback(True)
    return rows


def test_recent_harassment_contacts_are_in_cases_made_by_the_services(seeded):
    from cases.models import Case

    cases = Case.objects.all()
    assert cases.exists()
    assert "closed" in {c.state for c in cases}
    # A case stays 報告 for its first week, goes to 上司確認 after it, and is closed after three.
    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(12)))
    for case in cases:
        age = now - case.contacts.order_by("started_at").first().started_at
        expected = "reported" if age <= dt.timedelta(days=7) else "closed" if age > dt.timedelta(days=21) else None
        if expected and case.department.members.filter(role="supervisor").exists():
            assert case.state == expected, (case.pk, age)
    for case in cases.prefetch_related("contacts"):
        assert case.contacts.exists() and all(c.harassment == "yes" for c in case.contacts.all())
        assert case.events.exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data():
    first = _fingerprint(7)
    assert first == _fingerprint(7)
    assert first != _fingerprint(8)


@pytest.mark.django_db
def test_command_prints_the_accounts_and_refuses_a_second_run(capsys):
    call_command("seed_demo", "--contacts", "30", "--residents", "5")
    printed = capsys.readouterr().out
    assert "staff1" in printed and "specialist1" in printed and DEMO_PASSWORD in printed
    call_command("seed_demo", "--if-empty")
    assert "作成しませんでした" in capsys.readouterr().out
    assert Contact.objects.count() == 30 and Department.objects.count() == 10
    with pytest.raises(CommandError):
        call_command("seed_demo", "--contacts", "30")


@pytest.mark.django_db
def test_another_citys_pack_is_refused_before_anything_is_written(settings):
    settings.MAMORU_POLICY_PACK = str(settings.BASE_DIR / "tests" / "packs" / "minato.toml")
    with pytest.raises(CommandError, match="類型"):
        call_command("seed_demo", "--contacts", "10")
    assert not Department.objects.exists()
