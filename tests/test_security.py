"""Security settings and their behaviour: password hashing, session idle
timeout, sign-in throttling, CSRF, headers, sign-in required, the deployment
check, and the read-only audit log."""

import datetime as dt
import os
import runpy
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import LoginAttempt, User
from accounts.services import user_create
from accounts.views import BLOCKED_MESSAGE
from audit.models import AuditEntry
from people.services import resident_create
from records.services import ContactData, contact_create

from .conftest import PASSWORD

LOGIN_URL = "/accounts/login/"
ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"


def load_settings(monkeypatch, **env):
    """Run settings.py afresh with these environment variables, as a server would."""
    for name in (
        "MAMORU_FAST_PASSWORD_HASHER",
        "MAMORU_DEBUG",
        "MAMORU_SECRET_KEY",
        "MAMORU_ALLOWED_HOSTS",
        "DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(settings.BASE_DIR / "mamoru" / "settings.py"))


def login(client, username, password, address="127.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# --- Passwords ----------------------------------------------------------------


def test_passwords_use_argon2_without_the_test_switch(monkeypatch):
    production = load_settings(monkeypatch, MAMORU_DEBUG="0", MAMORU_SECRET_KEY=secrets.token_urlsafe(50))
    assert production["PASSWORD_HASHERS"][0] == ARGON2
    assert not any("MD5" in hasher for hasher in production["PASSWORD_HASHERS"])
    development = load_settings(monkeypatch)
    assert development["PASSWORD_HASHERS"][0] == ARGON2
    # The switch the test run uses only puts MD5 in front, for speed.
    fast = load_settings(monkeypatch, MAMORU_FAST_PASSWORD_HASHER="1")
    assert fast["PASSWORD_HASHERS"][1:] == production["PASSWORD_HASHERS"]


def test_production_settings_are_strict(monkeypatch):
    production = load_settings(
        monkeypatch, MAMORU_SECRET_KEY=secrets.token_urlsafe(50), MAMORU_ALLOWED_HOSTS="mamoru.example.lg.jp"
    )
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_AGE"] == 1800
    assert production["SESSION_SAVE_EVERY_REQUEST"] is True
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000


def test_production_settings_refuse_to_start_without_a_secret_key(monkeypatch):
    with pytest.raises(RuntimeError, match="MAMORU_SECRET_KEY"):
        load_settings(monkeypatch, MAMORU_ALLOWED_HOSTS="mamoru.example.lg.jp")


def test_stored_password_is_an_argon2_hash(db, monkeypatch, settings):
    settings.PASSWORD_HASHERS = load_settings(monkeypatch)["PASSWORD_HASHERS"]
    user = user_create(actor=None, username="argon", password=PASSWORD, role="administrator", department=None)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


# --- Sessions -----------------------------------------------------------------


def test_session_idle_timeout_is_30_minutes():
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_session_ends_after_30_idle_minutes(client, city):
    assert login(client, "staff1", PASSWORD).status_code == 302
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)

    # Activity slides the deadline forward...
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    assert client.get("/").status_code == 200
    session.refresh_from_db()
    assert session.expire_date - timezone.now() > dt.timedelta(minutes=29)

    # ...and 30 minutes without any ends the session.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_messages_wait_in_the_session_not_in_a_cookie(city, client_for):
    """A message (here after signing out, when the session starts afresh) is
    kept on the server and shown once on the next page."""
    client = client_for(city.staff)
    response = client.post(reverse("accounts:logout"))
    assert "messages" not in response.cookies
    page = client.get(response["Location"]).content.decode()
    assert "ログアウトしました。" in page
    assert "ログアウトしました。" not in client.get(LOGIN_URL).content.decode()


# --- Sign-in throttling -------------------------------------------------------


def test_failures_per_account_block_even_the_right_password(client, city):
    limit = settings.LOGIN_FAILURE_LIMIT_ACCOUNT
    for _ in range(limit):
        response = login(client, "staff1", "wrong-password")
        assert response.status_code == 200
        assert "ユーザー名またはパスワードが正しくありません" in response.content.decode()
    response = login(client, "staff1", PASSWORD)
    assert response.status_code == 429
    assert str(BLOCKED_MESSAGE) in response.content.decode()
    assert signed_in_as(client) is None
    assert AuditEntry.objects.filter(action="accounts.login.blocked", actor_name="staff1").count() == 1
    # Upper case is the same account.
    assert login(client, "STAFF1", PASSWORD).status_code == 429
    # Other accounts from the same address are not affected.
    assert login(client, "staff2", PASSWORD).status_code == 302


def test_blocked_attempts_do_not_check_the_password(client, city):
    for _ in range(settings.LOGIN_FAILURE_LIMIT_ACCOUNT):
        login(client, "staff1", "wrong-password")
    checked = []

    def receiver(sender, credentials, **kwargs):
        checked.append(credentials["username"])

    user_login_failed.connect(receiver)
    try:
        response = login(client, "staff1", "still-wrong")
    finally:
        user_login_failed.disconnect(receiver)
    assert response.status_code == 429
    assert checked == []
    assert response.context["form"]["username"].value() == "staff1"


def test_failures_expire_after_the_window(client, city):
    for _ in range(settings.LOGIN_FAILURE_LIMIT_ACCOUNT):
        login(client, "staff1", "wrong-password")
    assert login(client, "staff1", PASSWORD).status_code == 429
    old = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    LoginAttempt.objects.update(attempted_at=old)
    assert login(client, "staff1", PASSWORD).status_code == 302


def test_failures_per_address(client, city):
    for number in range(settings.LOGIN_FAILURE_LIMIT_ADDRESS):
        assert login(client, f"guess{number}", "wrong-password", address="198.51.100.7").status_code == 200
    response = login(client, "staff1", PASSWORD, address="198.51.100.7")
    assert response.status_code == 429
    assert str(BLOCKED_MESSAGE) in response.content.decode()
    assert signed_in_as(client) is None
    assert login(client, "staff1", PASSWORD, address="198.51.100.8").status_code == 302
    assert signed_in_as(client) == str(city.staff.pk)


def test_forwarded_for_header_cannot_dodge_the_address_limit(client, city):
    for number in range(settings.LOGIN_FAILURE_LIMIT_ADDRESS):
        client.post(
            LOGIN_URL,
            {"username": f"guess{number}", "password": "x"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}",
        )
    response = client.post(
        LOGIN_URL,
        {"username": "staff1", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="203.0.113.250",
    )
    assert response.status_code == 429


def test_success_clears_the_account_failures(client, city):
    limit = settings.LOGIN_FAILURE_LIMIT_ACCOUNT
    for _ in range(limit - 1):
        login(client, "staff1", "wrong-password")
    assert LoginAttempt.objects.filter(username="staff1", succeeded=False).count() == limit - 1
    assert login(client, "staff1", PASSWORD).status_code == 302
    assert LoginAttempt.objects.filter(username="staff1", succeeded=False).count() == 0
    client.logout()
    for _ in range(limit - 1):
        login(client, "staff1", "wrong-password")
    assert login(client, "staff1", PASSWORD).status_code == 302
    assert signed_in_as(client) == str(city.staff.pk)


def test_sign_in_and_failures_are_audited(client, city):
    login(client, "staff1", "wrong-password", address="192.0.2.10")
    failed = AuditEntry.objects.get(action="accounts.login.failed")
    assert (failed.actor, failed.actor_name, failed.address) == (None, "staff1", "192.0.2.10")
    login(client, "staff1", PASSWORD, address="192.0.2.10")
    succeeded = AuditEntry.objects.get(action="accounts.login.succeeded")
    assert (succeeded.actor, succeeded.address) == (city.staff, "192.0.2.10")


def test_login_does_not_redirect_to_another_site(client, city):
    response = client.post(LOGIN_URL, {"username": "staff1", "password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


# --- CSRF ---------------------------------------------------------------------


def test_csrf_is_enforced_on_login(city):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN_URL, {"username": "staff1", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    # With the token from the form, the same request goes through.
    client.get(LOGIN_URL)
    token = client.cookies["csrftoken"].value
    response = client.post(LOGIN_URL, {"username": "staff1", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_csrf_is_enforced_on_forms_of_signed_in_users(city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.staff)
    response = client.post("/accounts/preferences/", {"date_style": "seireki"})
    assert response.status_code == 403
    city.staff.refresh_from_db()
    assert city.staff.date_style == "wareki"

    admin_client = Client(enforce_csrf_checks=True)
    admin_client.force_login(city.admin)
    response = admin_client.post("/accounts/administration/tokens/", {"user": city.staff.pk, "name": "連携"})
    assert response.status_code == 403
    assert not city.staff.api_tokens.exists()


# --- Headers ------------------------------------------------------------------


def assert_security_headers(response):
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Request-ID"]


def test_security_headers_on_pages(client, client_for, city):
    assert_security_headers(client.get(LOGIN_URL))
    assert_security_headers(client_for(city.staff).get("/"))
    assert_security_headers(client.get("/api/contacts"))


# --- Sign-in required ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/", "/contacts/", "/contacts/new/", "/residents/", "/audit/", "/accounts/administration/tokens/", "/policy/"],
)
def test_pages_need_sign_in(client, city, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={url}"


def test_htmx_requests_are_sent_to_login(client, city):
    response = client.get("/contacts/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"] == LOGIN_URL


def test_inactive_user_cannot_sign_in(client, city):
    User.objects.filter(pk=city.staff.pk).update(is_active=False)
    response = login(client, "staff1", PASSWORD)
    assert response.status_code == 200
    assert signed_in_as(client) is None


# --- Deployment check ---------------------------------------------------------


def test_deploy_check_passes_with_production_settings():
    # A clean environment: nothing from the test run (MAMORU_*, DATABASE_URL,
    # DJANGO_ALLOW_ASYNC_UNSAFE set for the browser tests) leaks into the check.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    # Debug off, HTTPS, secure cookies and HSTS come from the defaults for a real host name.
    env.update(
        MAMORU_SECRET_KEY=secrets.token_urlsafe(50),
        MAMORU_ALLOWED_HOSTS="mamoru.example.lg.jp",
        DJANGO_SETTINGS_MODULE="mamoru.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- The audit log --------------------------------------------------------------


def _seed_views(city):
    started = timezone.now() - dt.timedelta(hours=1)
    resident = resident_create(actor=city.staff, name="大田原 太郎")
    contact = contact_create(
        actor=city.staff,
        data=ContactData(
            department=city.shimin, channel="counter", staff=city.staff, started_at=started, resident=resident
        ),
    )
    return contact, resident


@pytest.mark.parametrize("who", ["specialist", "admin"])
def test_audit_log_readers(client_for, city, who):
    contact, resident = _seed_views(city)
    client = client_for(getattr(city, who))
    response = client.get("/audit/")
    assert response.status_code == 200
    actions = {entry.action for entry in response.context["page"].object_list}
    assert {"records.contact.created", "people.resident.created", "accounts.user.created"} <= actions
    assert "対応記録を作成" in response.content.decode()

    page = client.get("/audit/", {"action": "records.contact.created"}).context["page"]
    assert [entry.object_id for entry in page.object_list] == [str(contact.pk)]

    page = client.get("/audit/", {"object_type": "people.resident", "object_id": str(resident.pk)}).context["page"]
    assert [entry.action for entry in page.object_list] == ["people.resident.created"]

    page = client.get("/audit/", {"actor": "staff1"}).context["page"]
    assert page.object_list and all(entry.actor_name == "staff1" for entry in page.object_list)

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert not client.get("/audit/", {"date_from": tomorrow}).context["page"].object_list
    today = timezone.localdate().isoformat()
    assert client.get("/audit/", {"date_from": today, "date_to": today}).context["page"].object_list


@pytest.mark.parametrize("who", ["staff", "supervisor", "manager", "zeimu_staff"])
def test_audit_log_is_closed_to_others(client_for, city, who):
    response = client_for(getattr(city, who)).get("/audit/")
    assert response.status_code == 403
    assert "監査ログを閲覧する権限がありません" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_audit_log_cannot_be_changed(client_for, city, method):
    _seed_views(city)
    before = list(AuditEntry.objects.values_list("id", "action", "actor_name", "created_at"))
    client = client_for(city.specialist)
    response = getattr(client, method)("/audit/", {"action": "records.contact.created"})
    assert response.status_code in (403, 405)
    assert list(AuditEntry.objects.values_list("id", "action", "actor_name", "created_at")) == before


def test_no_url_edits_audit_entries(client_for, city):
    with pytest.raises(NoReverseMatch):
        reverse("audit:audit_delete", args=[1])
    from audit import urls

    assert [pattern.name for pattern in urls.urlpatterns] == ["audit_list"]
    assert AuditEntry not in admin.site._registry
    assert client_for(city.admin).get("/admin/audit/auditentry/").status_code == 404


def test_views_of_contacts_and_residents_are_audited(client_for, city):
    contact, resident = _seed_views(city)
    client = client_for(city.supervisor)
    before = timezone.now()
    response = client.get(f"/contacts/{contact.pk}/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 200
    response = client.get(f"/residents/{resident.pk}/", REMOTE_ADDR="192.0.2.11")
    assert response.status_code == 200
    after = timezone.now()

    viewed = AuditEntry.objects.get(action="records.contact.viewed")
    assert (viewed.actor, viewed.actor_name, viewed.object_id) == (city.supervisor, "supervisor1", str(contact.pk))
    assert viewed.address == "192.0.2.10"  # the forwarded header is not trusted
    assert before <= viewed.created_at <= after
    assert viewed.request_id

    resident_viewed = AuditEntry.objects.get(action="people.resident.viewed")
    assert (resident_viewed.actor, resident_viewed.object_id) == (city.supervisor, str(resident.pk))
    assert resident_viewed.address == "192.0.2.11"
    assert before <= resident_viewed.created_at <= after

    page = client_for(city.specialist).get("/audit/", {"action": "records.contact.viewed"})
    html = page.content.decode()
    assert "192.0.2.10" in html and "supervisor1" in html and "対応記録を閲覧" in html


def test_refused_view_leaves_no_view_entry(client_for, city):
    contact, _resident = _seed_views(city)
    assert client_for(city.zeimu_staff).get(f"/contacts/{contact.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(action="records.contact.viewed").exists()


def test_login_redirect_keeps_the_whole_query_of_the_page(client):
    from urllib.parse import parse_qs, urlparse

    response = client.get("/contacts/", {"q": "土下座", "page": "2"})
    assert response.status_code == 302
    (next_url,) = parse_qs(urlparse(response.url).query)["next"]
    assert urlparse(next_url).path == "/contacts/"
    assert parse_qs(urlparse(next_url).query) == {"q": ["土下座"], "page": ["2"]}
