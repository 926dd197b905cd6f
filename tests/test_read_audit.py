"""Every read of personal data leaves a trace (issue 13, A5): list and search pages,
exports, the API's lists, the resident picker, measure pages and letters, the
staff-care page, the repetition pages and the audit log itself each write one
audit entry — for a list the filters and the count, never the rows."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.services import token_issue
from audit.models import AuditEntry
from letters.services import letter_templates_ensure
from measures import services as measure_services
from measures.services import MeasureTerms
from repetition.services import repetition_evaluate
from tests.factories import make_contact, make_resident
from tests.test_repetition import add, flags_for, hours_ago, rule_of

INSERT = re.compile(r'^\s*INSERT\s+INTO\s+"?(\w+)"?', re.IGNORECASE)


@pytest.fixture
def resident(city):
    return make_resident(city.staff, name="山田 太郎")


@pytest.fixture
def contacts(city, resident):
    return [
        make_contact(city.staff, resident=resident, summary="窓口での苦情", ago=dt.timedelta(hours=2 + i))
        for i in range(3)
    ]


def _new_entries(since: int):
    return list(AuditEntry.objects.filter(pk__gt=since).order_by("pk"))


def _last_pk() -> int:
    last = AuditEntry.objects.order_by("-pk").first()
    return last.pk if last else 0


def read(client, url, params=None, **extra):
    """GET the page; (the response, the audit entries it wrote)."""
    since = _last_pk()
    response = client.get(url, params or {}, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response, _new_entries(since)


def test_the_contact_list_records_filters_and_count_in_one_insert(city, client_for, contacts):
    client = client_for(city.staff)
    since = _last_pk()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("records:contact_list"), {"q": "苦情", "department": city.shimin.pk})
    assert response.status_code == 200
    inserts = [m.group(1) for q in queries.captured_queries if (m := INSERT.match(q["sql"]))]
    assert inserts == ["audit_auditentry"]  # the page's whole overhead: one entry
    [entry] = _new_entries(since)
    assert entry.action == "records.contact.listed" and entry.actor_name == "staff1"
    assert entry.after == {"filters": {"キーワード": "苦情", "担当課": "市民課"}, "count": 3}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_audited_with_filters_and_count(city, client_for, contacts, fmt):
    client = client_for(city.staff)
    _response, [entry] = read(client, reverse("records:contact_list"), {"format": fmt, "q": "苦情"})
    assert entry.action == "records.contact.exported"
    assert entry.after == {"filters": {"キーワード": "苦情"}, "count": 3}


def test_resident_pages_are_audited(city, client_for, resident, contacts):
    client = client_for(city.staff)
    _r, [entry] = read(client, reverse("people:resident_list"), {"q": "山田"})
    assert entry.action == "people.resident.listed" and entry.after["count"] == 1
    assert entry.after["filters"]["キーワード"] == "山田"
    _r, [entry] = read(client, reverse("people:resident_pick"), {"q": "山田"})
    assert entry.action == "people.resident.picked" and entry.after == {"filters": {"キーワード": "山田"}, "count": 1}
    _r, [entry] = read(client, reverse("people:resident_duplicates"), {"name": "山田 太郎"})
    assert entry.action == "people.resident.duplicates_listed" and entry.after["count"] == 1
    specialist = client_for(city.specialist)
    _r, [entry] = read(specialist, reverse("people:resident_similar", args=[resident.pk]))
    assert entry.action == "people.resident.similar_listed" and entry.object_id == str(resident.pk)
    _r, [entry] = read(specialist, reverse("people:resident_merge_list"))
    assert entry.action == "people.merge.listed"


def test_an_empty_picker_writes_nothing(city, client_for):
    _r, entries = read(client_for(city.staff), reverse("people:resident_pick"), {"q": ""})
    assert entries == []


def test_case_pages_and_staff_care_are_audited(city, client_for, contacts):
    client = client_for(city.manager)
    _r, [entry] = read(client, reverse("cases:case_list"))
    assert entry.action == "cases.case.listed" and entry.after["filters"]["状態"] == "open"
    _r, [entry] = read(client, reverse("cases:case_open_list"))
    assert entry.action == "cases.case.open_listed"
    _r, [entry] = read(client, reverse("cases:staff_care"))
    assert entry.action == "cases.staff_care.viewed" and entry.after["count"] >= 1


def test_measure_pages_and_letters_are_audited(city, client_for, resident, contacts):
    letter_templates_ensure()  # made on first use, with an entry of its own
    measure = measure_services.measure_draft(
        actor=city.specialist,
        resident=resident,
        kind="warning",
        terms=MeasureTerms(
            reasons="職員の人格を否定する言動が続いたため。",
            contacts=contacts,
            lead_department=city.shimin,
            starts_on=timezone.localdate(),
            requests="大声を出さないこと。",
        ),
    )
    measure_services.measure_submit(actor=city.specialist, measure=measure)
    manager = client_for(city.manager)
    _r, [entry] = read(manager, reverse("measures:measure_inbox"))
    assert entry.action == "measures.measure.inbox_listed" and entry.after == {"count": 1}
    _r, [entry] = read(manager, reverse("measures:measure_letter_preview", args=[measure.pk]))
    assert entry.action == "measures.letter.previewed" and entry.object_id == str(measure.pk)
    measure_services.measure_approve(actor=city.manager, measure=measure)
    measure = measure_services.measure_issue(actor=city.specialist, measure=measure)
    specialist = client_for(city.specialist)
    _r, [entry] = read(specialist, reverse("measures:measure_list"), {"status": "issued"})
    assert entry.action == "measures.measure.listed"
    assert entry.after == {"filters": {"状態": "issued", "ページ": "1"}, "count": 1}
    _r, [entry] = read(specialist, reverse("measures:measure_detail", args=[measure.pk]))
    assert entry.action == "measures.measure.viewed" and entry.object_id == str(measure.pk)
    _r, [entry] = read(specialist, reverse("measures:measure_letter", args=[measure.pk]))
    assert entry.action == "measures.letter.downloaded" and entry.object_type == "measures.measure"


def test_repetition_pages_are_audited(city, client_for, resident):
    rule = rule_of("contacts_in_days")
    for i in range(rule.threshold):
        add(city.staff, resident, at=hours_ago(2 + i), summary=f"転居の手続き{i}")
    repetition_evaluate(resident=resident)
    [flag] = flags_for(resident, rule)
    client = client_for(city.specialist)
    _r, [entry] = read(client, reverse("repetition:flag_list"))
    assert entry.action == "repetition.flag.listed" and entry.after["count"] == 1
    _r, [entry] = read(client, reverse("repetition:flag_detail", args=[flag.pk]))
    assert entry.action == "repetition.flag.viewed" and entry.object_id == str(flag.pk)


def test_the_audit_log_page_audits_itself(city, client_for):
    client = client_for(city.specialist)
    _r, [entry] = read(client, reverse("audit:audit_list"), {"action": "records."})
    assert entry.action == "audit.entry.listed" and entry.actor_name == "specialist1"
    assert entry.after["filters"]["ページ"] == "1" and "count" in entry.after


def test_api_lists_are_audited(city, client, resident, contacts):
    _, token = token_issue(actor=None, user=city.staff, name="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    _r, [entry] = read(client, "/api/contacts", {"limit": 500, "q": "苦情"}, **auth)
    assert entry.action == "api.contacts.listed" and entry.actor_name == "staff1"
    assert entry.after["count"] == 3
    assert entry.after["filters"]["query"] == "苦情" and entry.after["filters"]["limit"] == "500"
    _r, [entry] = read(client, f"/api/residents/{resident.pk}/contacts", **auth)
    assert entry.action == "api.resident_contacts.listed" and entry.object_id == str(resident.pk)
    assert entry.after["count"] == 3
    _r, [entry] = read(client, "/api/residents", {"q": "山田"}, **auth)
    assert entry.action == "api.residents.listed" and entry.after == {
        "filters": {"q": "山田", "limit": "50"},
        "count": 1,
    }


def test_new_action_codes_have_japanese_labels(city, client_for, contacts):
    from audit.choices import ACTION_LABELS

    codes = {
        "records.contact.listed",
        "records.contact.exported",
        "people.resident.listed",
        "people.resident.picked",
        "cases.staff_care.viewed",
        "measures.letter.downloaded",
        "repetition.flag.listed",
        "audit.entry.listed",
        "api.contacts.listed",
    }
    assert codes <= set(ACTION_LABELS)
