"""Drawing a page writes nothing but the audit entry of the read (issue 12).

The pages other apps add panels to (a live contact, its record form, the
resident's page and the resident lists) are drawn while a recount waits for
the resident: the waiting work stays for the background recount (or the POST
that starts a live contact), never for a GET."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mamoru.policy.loader import current as current_policy
from records.services import ContactData, contact_create, contact_start
from repetition.models import RecountRequest, RepetitionFlag

from .factories import make_resident

WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# The audit entry of the read (with the end of its hash chain), and the session's idle timer
# (SESSION_SAVE_EVERY_REQUEST).
ALLOWED_TABLES = {"audit_auditentry", "audit_auditchainhead", "django_session"}


def _writes(queries) -> list[str]:
    found = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(2).lower() not in ALLOWED_TABLES:
            found.append(query["sql"][:160])
    return found


def _get(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url, params or {})
    assert answer.status_code == 200, url
    return _writes(queries.captured_queries)


@pytest.fixture
def waiting(city):
    """A live contact with a resident over a repetition rule whose recount
    still waits: the last contact was recorded after the live one started."""
    rule = next(rule for rule in current_policy().repetition_rules if rule.kind == "contacts_in_days")
    resident = make_resident(city.staff)
    live = contact_start(actor=city.staff, channel="counter", resident=resident)
    RecountRequest.objects.all().delete()  # counted when it started
    for i in range(rule.threshold):
        at = timezone.now() - dt.timedelta(hours=2 + i)
        contact_create(
            actor=city.staff,
            data=ContactData(
                department=city.shimin,
                channel="phone",
                staff=city.staff,
                started_at=at,
                ended_at=at + dt.timedelta(minutes=3),
                resident=resident,
            ),
        )
    assert RecountRequest.objects.filter(resident_id=resident.pk).exists()
    assert not RepetitionFlag.objects.filter(resident_id=resident.pk).exists()
    return live


@pytest.mark.parametrize("role", ["staff", "supervisor", "specialist"])
def test_drawing_the_pages_writes_nothing_but_the_audit_entry(city, client_for, waiting, role):
    client = client_for(getattr(city, role))
    contact, resident = waiting, waiting.resident
    pages = [
        (reverse("records:contact_detail", args=[contact.pk]), None),
        (reverse("records:contact_edit", args=[contact.pk]), None),
        (reverse("records:contact_new"), {"resident": resident.pk}),
        (reverse("people:resident_detail", args=[resident.pk]), None),
        (reverse("people:resident_list"), {"q": resident.name}),
        (reverse("people:resident_pick"), {"q": resident.name}),
    ]
    for url, params in pages:
        assert _get(client, url, params) == [], url
    # The recount still waits for the background (or the next POST that starts a contact).
    assert RecountRequest.objects.filter(resident_id=resident.pk).exists()
    assert not RepetitionFlag.objects.filter(resident_id=resident.pk).exists()


def test_the_contact_page_read_is_audited(city, client_for, waiting):
    from audit.models import AuditEntry

    client = client_for(city.staff)
    before = AuditEntry.objects.filter(action="records.contact.viewed").count()
    client.get(reverse("records:contact_detail", args=[waiting.pk]))
    assert AuditEntry.objects.filter(action="records.contact.viewed").count() == before + 1


def test_the_post_that_starts_a_live_contact_counts_what_waits(city, client_for):
    """Where freshness matters (staff face the resident now), the catch-up
    count runs in the POST that starts the contact, not in the page after it."""
    rule = next(rule for rule in current_policy().repetition_rules if rule.kind == "contacts_in_days")
    resident = make_resident(city.staff)
    for i in range(rule.threshold):
        at = timezone.now() - dt.timedelta(hours=2 + i)
        contact_create(
            actor=city.staff,
            data=ContactData(
                department=city.shimin,
                channel="counter",
                staff=city.staff,
                started_at=at,
                ended_at=at,
                resident=resident,
            ),
        )
    assert RecountRequest.objects.filter(resident_id=resident.pk).exists()
    answer = client_for(city.staff).post(
        reverse("records:contact_start"), {"channel": "counter", "resident": resident.pk}
    )
    assert answer.status_code == 302
    assert RepetitionFlag.objects.filter(resident=resident, rule_code=rule.code).exists()
    assert not RecountRequest.objects.filter(resident_id=resident.pk).exists()
