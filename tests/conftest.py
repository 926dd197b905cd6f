"""Shared fixtures: a small city with named users per role.

``city`` makes two departments (市民課, 税務課) and the specialist section (総務課),
with a member of staff, a supervisor and a manager in 市民課, a member of
staff in 税務課, a specialist and an administrator, all with the password
``PASSWORD``."""

import pytest
from django.core.cache import cache

from accounts.models import Department
from accounts.services import user_create
from mamoru.policy.loader import reset_cache

from .s3_server import evidence_storage, object_store  # noqa: F401 - fixtures (evidence on local files and S3)

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttling counters (API requests, failed token attempts) live in the cache: none
    carries over from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_policy():
    reset_cache()
    yield
    reset_cache()


@pytest.fixture(autouse=True)
def _second_factor_off(settings):
    """The suite signs in as a city that requires no second factor; tests/test_signin_otp.py
    turns MAMORU_OTP_REQUIRED_ROLES back on. (The second sign-in before exports stays on:
    a test client's sign-in is recent.)"""
    settings.MAMORU_OTP_REQUIRED_ROLES = []


class City:
    def __init__(self):
        self.shimin = Department.objects.create(code="shimin", name="市民課", sort_order=1)
        self.zeimu = Department.objects.create(code="zeimu", name="税務課", sort_order=2)
        self.somu = Department.objects.create(code="somu", name="総務課", sort_order=3)
        self.staff = self._user("staff1", "staff", self.shimin, "市民 一郎")
        self.supervisor = self._user("supervisor1", "supervisor", self.shimin, "市民 課長補佐")
        self.manager = self._user("manager1", "manager", self.shimin, "市民 課長")
        self.zeimu_staff = self._user("staff2", "staff", self.zeimu, "税務 花子")
        self.specialist = self._user("specialist1", "specialist", self.somu, "総務 専門")
        self.admin = self._user("admin", "administrator", None, "管理 者")

    @staticmethod
    def _user(username, role, department, full_name):
        return user_create(
            actor=None, username=username, password=PASSWORD, role=role, department=department, full_name=full_name
        )


@pytest.fixture
def city(db):
    return City()


@pytest.fixture
def client_for(client):
    """Log the test client in as a user: ``client_for(city.staff)``."""

    def login(user):
        client.force_login(user)
        return client

    return login
