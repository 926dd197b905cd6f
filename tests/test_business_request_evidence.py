"""The files a business sends with its request, in the evidence locker (issue 15 B with
issue 14's evidence): SHA-256 and custody, added by the specialist section, seen by those
who may read the business's account — the staff member concerned only after the outcome."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from evidence import selectors, services
from evidence.choices import CustodyKind
from evidence.incoming import incoming_from_stream
from evidence.models import CustodyEvent, Evidence
from evidence.subjects import subject_by_key

from .test_business_requests import receive, to_decided
from .test_evidence_core import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def _add(city, request, data=PNG, name="配達員のメモ.png"):
    subject = (subject_by_key("business_request"), request)
    return services.evidence_add(
        actor=city.specialist, incoming=incoming_from_stream(io.BytesIO(data), name=name), subject=subject
    ).evidence


def test_the_specialist_keeps_the_business_files_with_hash_and_custody(city):
    request = receive(city)
    evidence = _add(city, request)
    assert evidence.subject_id == request.pk and evidence.contact_id is None and evidence.case_id is None
    assert evidence.stored_file.sha256 == hashlib.sha256(PNG).hexdigest()
    assert evidence.department == city.specialist.department
    assert CustodyEvent.objects.get(evidence=evidence).kind == CustodyKind.UPLOADED
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            actor=city.staff,
            incoming=incoming_from_stream(io.BytesIO(PNG), name="x.png"),
            subject=(subject_by_key("business_request"), request),
        )


def test_who_sees_the_business_files(city):
    request = to_decided(city)  # the named manager is city.manager; city.staff is concerned
    evidence = _add(city, request)
    for user in (city.specialist, city.manager, city.staff):  # the staff member: the outcome is decided
        assert selectors.evidence_get(user=user, pk=evidence.pk) == evidence
    for user in (city.supervisor, city.zeimu_staff, city.admin):
        with pytest.raises(Http404):
            selectors.evidence_get(user=user, pk=evidence.pk)


def test_the_staff_member_concerned_does_not_see_them_before_the_outcome(city):
    request = receive(city)
    evidence = _add(city, request)
    with pytest.raises(Http404):
        selectors.evidence_get(user=city.staff, pk=evidence.pk)
    assert not selectors.evidence_visible(user=city.staff).filter(pk=evidence.pk).exists()


def test_the_request_page_lists_them_and_takes_new_ones(city, client_for):
    request = receive(city)
    _add(city, request)
    client = client_for(city.specialist)
    page = client.get(reverse("business_requests:detail", args=[request.pk])).content.decode()
    assert (
        "配達員のメモ.png" in page and reverse("evidence:subject_upload", args=["business_request", request.pk]) in page
    )
    response = client.post(
        reverse("evidence:subject_upload", args=["business_request", request.pk]),
        {"files": [SimpleUploadedFile("謝罪要求のメール.pdf", b"%PDF-1.4\n%mamoru\n")]},
    )
    assert response.status_code == 200 and "1 件を登録しました" in response.content.decode()
    assert Evidence.objects.filter(subject_id=request.pk).count() == 2
    staff_page = client_for(city.staff).get(reverse("business_requests:detail", args=[request.pk])).content.decode()
    assert "配達員のメモ.png" not in staff_page  # before the outcome
    refused = client_for(city.staff).post(
        reverse("evidence:subject_upload", args=["business_request", request.pk]),
        {"files": [SimpleUploadedFile("x.png", PNG)]},
    )
    assert refused.status_code == 403
    assert (
        client_for(city.specialist)
        .post(reverse("evidence:subject_upload", args=["no_such_thing", request.pk]), {})
        .status_code
        == 404
    )
