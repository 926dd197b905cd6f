"""Sign-in throttling that cannot be dodged and cannot be turned into a weapon
(issue 13: A1, A6, A7; docs/security/login.md).

- A1: failures count per normalised account (the spellings Django's form folds
  into the same user name), and an attempt is counted before its password is
  checked, so simultaneous guesses cannot all be checked.
- A6: at most MAMORU_LOGIN_CONCURRENT_CHECKS password hashes at once; the next
  attempt is answered 429 at once, without hashing.
- A7: the real user's usual browser (device cookie) is never locked out by
  others' failures, neither for the account nor from a shared address; the
  administrators are told about bursts."""

import datetime as dt
import threading
import time

import pytest
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.utils import timezone

from accounts import throttle
from accounts.models import LoginAttempt
from accounts.services import user_create
from accounts.views import BLOCKED_MESSAGE, BUSY_MESSAGE
from audit.models import AuditEntry
from notifications.models import Notification

from .conftest import PASSWORD

LOGIN_URL = "/accounts/login/"
DEVICE_COOKIE = "mamoru_device"

# The spellings that reached the account lock1 after it was blocked (issue 13, A1).
SPELLINGS = [" lock1", "lock1 ", "\tlock1", "ｌｏｃｋ１", "lock1\u3000"]


def login(client, username, password, address="127.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def lock1(city):
    return user_create(actor=None, username="lock1", password=PASSWORD, role="staff", department=city.shimin)


class CountingHasher(MD5PasswordHasher):
    """The tests' MD5 hasher, counting the passwords it checks (what reaches the hash)."""

    lock = threading.Lock()
    checked = 0

    @classmethod
    def reset(cls):
        cls.checked = 0

    def verify(self, password, encoded):
        with type(self).lock:
            type(self).checked += 1
        return super().verify(password, encoded)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.test_login_throttle.CountingHasher"]
    CountingHasher.reset()
    return CountingHasher


# --- A1: one account, however it is typed --------------------------------------


def test_account_key_folds_what_the_login_form_folds():
    for spelling in [*SPELLINGS, "LOCK1", "Ｌｏｃｋ１", " \t lock1 \u3000"]:
        assert throttle.account_key(spelling) == "lock1", repr(spelling)
    assert throttle.account_key("lock2") != "lock1"


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_blocked_account_stays_blocked_however_it_is_typed(client, lock1, spelling):
    for _ in range(settings.LOGIN_FAILURE_LIMIT_ACCOUNT):
        assert login(client, "lock1", "wrong-password").status_code == 200
    response = login(client, spelling, PASSWORD)
    assert response.status_code == 429
    assert str(BLOCKED_MESSAGE) in response.content.decode()
    assert signed_in_as(client) is None


def test_failures_in_several_spellings_add_up(client, lock1, counting_hasher):
    spellings = ["lock1", *SPELLINGS]
    statuses = [login(client, spellings[number % len(spellings)], "wrong").status_code for number in range(24)]
    limit = settings.LOGIN_FAILURE_LIMIT_ACCOUNT
    assert statuses == [200] * limit + [429] * (24 - limit)
    assert counting_hasher.checked == limit  # 24 guesses, only the first 5 checked
    assert set(LoginAttempt.objects.values_list("username", flat=True)) == {"lock1"}
    assert login(client, "ｌｏｃｋ１", PASSWORD).status_code == 429


# Simultaneous guesses: tests/test_login_burst.py (real server processes; SQLite's
# shared in-memory test database refuses concurrent writers outright).


# --- A6: a bounded number of password checks at once ---------------------------


def test_password_checks_beyond_the_bound_are_refused_without_hashing(client, city, counting_hasher, settings):
    settings.MAMORU_LOGIN_CONCURRENT_CHECKS = 2
    settings.MAMORU_LOGIN_CHECK_WAIT_SECONDS = 0
    with throttle.password_check_slot() as first, throttle.password_check_slot() as second:
        assert first and second  # two checks under way
        started = time.monotonic()
        response = login(client, "staff1", PASSWORD)
        assert time.monotonic() - started < 1
    assert response.status_code == 429
    assert response["Retry-After"] == "5"
    assert str(BUSY_MESSAGE) in response.content.decode()
    assert counting_hasher.checked == 0
    assert signed_in_as(client) is None
    # A refusal for load is not a failure: it does not count towards any limit.
    assert not LoginAttempt.objects.exists()
    assert not AuditEntry.objects.filter(action="accounts.login.failed").exists()
    # Once a slot is free, the same sign-in goes through.
    assert login(client, "staff1", PASSWORD).status_code == 302
    assert counting_hasher.checked == 1


# --- A7: no lockout as a weapon --------------------------------------------------


def _trusted_browser(user):
    """A browser ``user`` signed in from (and then signed out of): it holds the device cookie."""
    browser = Client()
    response = login(browser, user.username, PASSWORD)
    assert response.status_code == 302
    assert DEVICE_COOKIE in response.cookies
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    browser.post("/accounts/logout/")
    return browser


def test_an_attacker_cannot_lock_the_real_user_out_of_their_usual_browser(city):
    usual = _trusted_browser(city.staff)
    attacker = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT_ACCOUNT + 3):
        login(attacker, "staff1", "guess", address="203.0.113.9")
    # The attacker, and any browser the account never signed in from, is held back...
    response = login(attacker, "staff1", PASSWORD, address="203.0.113.9")
    assert response.status_code == 429
    assert "いつもログインしている端末" in response.content.decode()
    assert login(Client(), "staff1", PASSWORD).status_code == 429
    # ...the real user's usual browser is not.
    assert login(usual, "staff1", PASSWORD).status_code == 302
    assert signed_in_as(usual) == str(city.staff.pk)


def test_a_trusted_browser_has_a_limit_of_its_own(city):
    usual = _trusted_browser(city.staff)
    for _ in range(settings.LOGIN_FAILURE_LIMIT_DEVICE):
        assert login(usual, "staff1", "wrong").status_code == 200
    assert login(usual, "staff1", PASSWORD).status_code == 429
    # Its failures are its own: another trusted browser of the account still signs in.
    other = Client()
    other.cookies[DEVICE_COOKIE] = _trusted_browser(city.staff).cookies[DEVICE_COOKIE].value
    assert login(other, "staff1", PASSWORD).status_code == 302


def test_the_device_cookie_is_for_its_account_only_and_cannot_be_forged(city):
    usual = _trusted_browser(city.staff)
    for _ in range(settings.LOGIN_FAILURE_LIMIT_ACCOUNT):
        login(Client(), "staff2", "wrong")
    # staff1's browser is not trusted for staff2.
    assert login(usual, "staff2", PASSWORD).status_code == 429
    forged = Client()
    forged.cookies[DEVICE_COOKIE] = usual.cookies[DEVICE_COOKIE].value[:-2] + "xx"
    assert login(forged, "staff2", PASSWORD).status_code == 429


def test_one_browser_remembers_several_accounts(city):
    """A counter PC shared by colleagues: each of them is trusted on it."""
    shared = _trusted_browser(city.staff)
    assert login(shared, "supervisor1", PASSWORD).status_code == 302
    shared.post("/accounts/logout/")
    for name in ("staff1", "supervisor1"):
        for _ in range(settings.LOGIN_FAILURE_LIMIT_ACCOUNT):
            login(Client(), name, "wrong")
        assert login(shared, name, PASSWORD).status_code == 302, name
        shared.post("/accounts/logout/")


def test_failures_from_a_shared_address_do_not_lock_the_office_out(city):
    office = "198.51.100.7"
    usual = _trusted_browser(city.staff)
    for number in range(settings.LOGIN_FAILURE_LIMIT_ADDRESS):
        login(Client(), f"guess{number}", "wrong", address=office)
    # New browsers behind the address wait; staff on their usual browsers sign in.
    response = login(Client(), "supervisor1", PASSWORD, address=office)
    assert response.status_code == 429
    assert "接続元" in response.content.decode()
    assert login(usual, "staff1", PASSWORD, address=office).status_code == 302


def test_administrators_are_told_about_a_burst_once(city):
    attacker = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT_ACCOUNT + 4):
        login(attacker, "staff1", "guess", address="203.0.113.9")
    alerts = Notification.objects.filter(kind="accounts.login_throttled")
    assert list(alerts.values_list("user__username", flat=True)) == ["admin"]
    assert "staff1" in alerts[0].text and "203.0.113.9" in alerts[0].text
    assert alerts[0].url == "/audit/"


def test_nobody_is_told_about_a_few_typing_errors(city):
    for _ in range(settings.LOGIN_FAILURE_LIMIT_ACCOUNT - 1):
        login(Client(), "staff1", "typo")
    assert login(Client(), "staff1", PASSWORD).status_code == 302
    assert not Notification.objects.filter(kind="accounts.login_throttled").exists()


def test_the_admin_sites_own_login_form_is_not_a_way_around(client, city, counting_hasher):
    """Django admin's login page would check passwords without these limits: it
    is not served to anyone who has not signed in through mamoru's."""
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
    assert counting_hasher.checked == 0
    assert signed_in_as(client) is None


def test_old_attempts_are_forgotten_when_the_account_is_tried_again(client, city):
    login(client, "staff1", "wrong")
    old = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    LoginAttempt.objects.update(attempted_at=old)
    login(client, "ＳＴＡＦＦ１", "wrong")
    assert LoginAttempt.objects.filter(username="staff1").count() == 1
    assert AuditEntry.objects.filter(action="accounts.login.failed").count() == 2  # the history stays in the audit log
