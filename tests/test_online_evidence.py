"""Evidence on an online post (issue 15 A.1): screenshots and saved pages in the evidence
locker with SHA-256 and custody, seen by the post's audience only."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from evidence import services
from evidence.incoming import incoming_from_stream
from evidence.models import CustodyEvent, Evidence
from evidence.selectors import evidence_visible
from online.services import post_register

from .test_evidence_core import PNG


@pytest.fixture(autouse=True)
def _evidence_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def post(city):
    return post_register(
        actor=city.staff, urls=["https://x.com/a/status/1"], platform="x_twitter", affected_staff=[city.staff]
    ).post


def add(actor, post, data=PNG, name="screenshot.png"):
    return services.evidence_add(
        actor=actor,
        incoming=incoming_from_stream(io.BytesIO(data), name=name),
        post=post,
        kind="screenshot",
        description="URL と日時が写った画面",
    ).evidence


def test_a_screenshot_of_the_post_is_kept_with_its_hash_and_custody(city, post):
    evidence = add(city.specialist, post)
    assert evidence.post == post and evidence.contact is None and evidence.case is None
    assert evidence.stored_file.sha256 == hashlib.sha256(PNG).hexdigest()
    assert evidence.department == city.shimin  # the affected staff member's department
    assert CustodyEvent.objects.filter(evidence=evidence, kind="uploaded").exists()


def test_the_posts_audience_sees_its_evidence_and_nobody_else(city, post):
    evidence = add(city.specialist, post)
    seeing = {
        u.username
        for u in (city.staff, city.supervisor, city.manager, city.zeimu_staff, city.specialist, city.admin)
        if evidence_visible(user=u).filter(pk=evidence.pk).exists()
    }
    assert seeing == {"staff1", "supervisor1", "manager1", "specialist1"}


def test_an_outsider_may_not_add_to_the_post(city, post):
    with pytest.raises(PermissionDenied):
        add(city.zeimu_staff, post)
    assert add(city.staff, post, data=PNG + b"own", name="own.png").uploaded_by == city.staff


def test_evidence_is_attached_to_something(city, post):
    with pytest.raises(ValidationError):
        services.evidence_add(actor=city.specialist, incoming=incoming_from_stream(io.BytesIO(PNG), name="a.png"))
    evidence = add(city.specialist, post)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.filter(pk=evidence.pk).update(post=None)


def test_the_post_page_lists_and_adds_evidence(city, post, client_for):
    staff = client_for(city.staff)
    page = staff.get(f"/online/{post.pk}/").content.decode()
    assert f"/evidence/post/{post.pk}/add/" in page
    response = staff.post(
        f"/evidence/post/{post.pk}/add/",
        {"files": SimpleUploadedFile("画面.png", PNG, content_type="image/png"), "kind": "screenshot"},
    )
    assert response.status_code == 200
    assert Evidence.objects.filter(post=post).count() == 1
    assert "画面.png" in staff.get(f"/online/{post.pk}/").content.decode()
    outsider = client_for(city.zeimu_staff).post(
        f"/evidence/post/{post.pk}/add/", {"files": SimpleUploadedFile("x.png", PNG + b"x"), "kind": "screenshot"}
    )
    assert outsider.status_code == 404
    evidence = Evidence.objects.get(post=post)
    assert client_for(city.zeimu_staff).get(f"/evidence/{evidence.pk}/").status_code == 404
    assert client_for(city.manager).get(f"/evidence/{evidence.pk}/").status_code == 200
