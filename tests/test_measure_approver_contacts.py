"""Approvers read the evidence they approve (issue 12, defect 2.3): whoever
must approve a measure reads the contacts linked to it while it waits for
them, also of other departments (each read audited), and nothing else of
those departments."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_create
from audit.models import AuditEntry
from measures import services
from measures.services import MeasureTerms, RestrictionConditions
from tests.conftest import PASSWORD
from tests.factories import make_contact, make_resident


@pytest.fixture
def zeimu_manager(city):
    return user_create(
        actor=None, username="manager2", password=PASSWORD, role="manager", department=city.zeimu, full_name="税務 課長"
    )


@pytest.fixture
def resident(city):
    return make_resident(city.staff)


@pytest.fixture
def linked(city, resident):
    """Three contacts: one of 税務課 (the lead department), two of 市民課."""
    return [
        make_contact(
            city.zeimu_staff, resident=resident, words_and_behaviour="税務課の窓口で大声", ago=dt.timedelta(days=5)
        ),
        make_contact(city.staff, resident=resident, words_and_behaviour="市民課で机を叩いた", ago=dt.timedelta(days=4)),
        make_contact(
            city.staff, resident=resident, words_and_behaviour="市民課に1日5回の電話", ago=dt.timedelta(days=3)
        ),
    ]


def warning(city, resident, contacts, *, kind="warning", conditions=None):
    measure = services.measure_draft(
        actor=city.specialist,
        resident=resident,
        kind=kind,
        terms=MeasureTerms(
            reasons="複数の課での威圧的な言動",
            contacts=contacts,
            lead_department=city.zeimu,
            starts_on=timezone.localdate(),
            requests="大声を出さないこと。",
            conditions=conditions or RestrictionConditions(),
        ),
    )
    return services.measure_submit(actor=city.specialist, measure=measure)


def url(measure, contact):
    return reverse("measures:measure_contact", args=[measure.pk, contact.pk])


def test_approver_of_another_department_reads_the_linked_contacts_audited(
    city, resident, linked, zeimu_manager, client_for
):
    measure = warning(city, resident, linked)
    client = client_for(zeimu_manager)
    # records itself still refuses the other department's contact
    assert client.get(reverse("records:contact_detail", args=[linked[1].pk])).status_code == 404
    detail = client.get(reverse("measures:measure_detail", args=[measure.pk])).content.decode()
    assert url(measure, linked[1]) in detail and url(measure, linked[2]) in detail
    assert reverse("records:contact_detail", args=[linked[0].pk]) in detail  # its own department: the usual page
    for contact in linked[1:]:
        page = client.get(url(measure, contact))
        assert page.status_code == 200
        assert contact.words_and_behaviour in page.content.decode()
    reads = AuditEntry.objects.filter(action="measures.contact.read_as_approver", actor=zeimu_manager)
    assert sorted(int(e.object_id) for e in reads) == sorted(c.pk for c in linked[1:])


def test_nothing_else_of_that_department(city, resident, linked, zeimu_manager, client_for):
    unlinked = make_contact(city.staff, resident=resident, words_and_behaviour="別件")
    measure = warning(city, resident, linked)
    client = client_for(zeimu_manager)
    assert client.get(url(measure, unlinked)).status_code == 404
    assert client.get(reverse("records:contact_detail", args=[unlinked.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="measures.contact.read_as_approver").exists()


def test_not_before_submission_nor_after_the_decision(city, resident, linked, zeimu_manager, client_for):
    draft = services.measure_draft(
        actor=city.specialist,
        resident=resident,
        kind="warning",
        terms=MeasureTerms(
            reasons="理由",
            contacts=linked,
            lead_department=city.zeimu,
            starts_on=timezone.localdate(),
            requests="大声を出さないこと。",
        ),
    )
    client = client_for(zeimu_manager)
    assert client.get(url(draft, linked[1])).status_code == 404
    measure = services.measure_submit(actor=city.specialist, measure=draft)
    assert client.get(url(measure, linked[1])).status_code == 200
    services.measure_approve(actor=zeimu_manager, measure=measure)
    assert client.get(url(measure, linked[1])).status_code == 404
    services.measure_issue(actor=city.specialist, measure=measure)
    assert client.get(url(measure, linked[1])).status_code == 404
    detail = client.get(reverse("measures:measure_detail", args=[measure.pk])).content.decode()
    assert url(measure, linked[1]) not in detail


def test_only_while_the_measure_waits_for_this_approver(city, resident, linked, zeimu_manager, client_for):
    measure = warning(city, resident, linked, kind="restriction", conditions=RestrictionConditions(max_minutes=15))
    client = client_for(zeimu_manager)
    assert client.get(url(measure, linked[1])).status_code == 200
    services.measure_approve(actor=zeimu_manager, measure=measure)  # now it waits for the specialist section
    assert client.get(url(measure, linked[1])).status_code == 404


@pytest.mark.parametrize("who", ["staff", "zeimu_staff", "manager", "supervisor", "admin"])
def test_outsiders_get_404(city, resident, linked, client_for, who):
    measure = warning(city, resident, linked)
    client = client_for(getattr(city, who))
    for contact in linked:
        assert client.get(url(measure, contact)).status_code == 404
    assert not AuditEntry.objects.filter(action="measures.contact.read_as_approver").exists()


def test_a_deleted_contact_is_not_shown(city, resident, linked, zeimu_manager, client_for):
    from records.models import Contact

    measure = warning(city, resident, linked)
    Contact.objects.filter(pk=linked[2].pk).update(deleted_at=timezone.now())
    assert client_for(zeimu_manager).get(url(measure, linked[2])).status_code == 404
