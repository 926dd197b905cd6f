"""API tokens: issued and revoked by the administrator on the administration
pages or with ``python -m mamoru create-token``; only a hash of the key is kept."""

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import TOKEN_PREFIX, token_authenticate, token_issue, user_create
from audit.models import AuditEntry
from notifications.models import Notification
from tests.conftest import PASSWORD

TOKENS_URL = "/accounts/administration/tokens/"


def revoke_url(token):
    return f"{TOKENS_URL}{token.pk}/revoke/"


def approve_url(token):
    return f"{TOKENS_URL}{token.pk}/approve/"


def api_status(client, key, path="/api/contacts", **extra):
    return client.get(path, headers={"Authorization": f"Bearer {key}"}, **extra).status_code


@pytest.fixture
def rokuon(city):
    """A service account (連携用アカウント) of 市民課 for the phone-recording system."""
    return user_create(
        actor=None,
        username="rokuon",
        password="",
        role="staff",
        department=city.shimin,
        full_name="通話録音システム",
        is_service_account=True,
    )


@pytest.fixture
def admin2(city):
    return user_create(actor=None, username="admin2", password=PASSWORD, role="administrator", department=None)


def issue(actor, user, **options):
    options.setdefault("name", "連携")
    return token_issue(actor=actor, user=user, **options)


def test_administrator_requests_and_another_approves(client, client_for, city, rokuon, admin2):
    client = client_for(city.admin)
    form = {"user": rokuon.pk, "name": "通話録音システム連携", "scope": "read", "days": 30}
    response = client.post(TOKENS_URL, form)
    assert response.status_code == 200, response.context["form"].errors
    key = response.context["new_key"]
    assert key.startswith(TOKEN_PREFIX)
    assert key in response.content.decode()  # shown once, on this page
    assert "再表示できません" in response.content.decode()

    token = ApiToken.objects.get()
    assert (token.user, token.name, token.created_by, token.scope) == (
        rokuon,
        "通話録音システム連携",
        city.admin,
        "read",
    )
    assert token.approved_at is None
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix) and len(token.prefix) < len(key)
    # The key itself is nowhere in the database: not on the token, not in the audit log.
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    stored += [str(row) for row in AuditEntry.objects.values_list()]
    assert not any(key in value for value in stored)
    entry = AuditEntry.objects.get(action="accounts.token.requested")
    assert entry.actor == city.admin and entry.object_id == str(token.pk)
    # The other administrator hears of the request.
    assert Notification.objects.filter(user=admin2, text__contains="rokuon").exists()

    client.logout()
    response = client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401 and "承認待ち" in response.json()["detail"]

    # The requester cannot approve their own request.
    requester = client_for(city.admin)
    assert requester.post(approve_url(token)).status_code == 403
    token.refresh_from_db()
    assert token.approved_at is None
    requester.logout()

    approver = client_for(admin2)
    assert "承認待ち" in approver.get(TOKENS_URL).content.decode()
    assert approver.post(approve_url(token)).status_code == 302
    token.refresh_from_db()
    assert (token.approved_by, token.is_usable) == (admin2, True)
    assert AuditEntry.objects.get(action="accounts.token.approved").actor == admin2
    approver.logout()
    assert api_status(approver, key) == 200
    assert token_authenticate(key) == rokuon


@pytest.mark.parametrize("who", ["staff", "specialist", "supervisor"])
def test_administrator_cannot_get_a_token_for_a_member_of_staff(client, client_for, city, who):
    """Issue 13, A2a: the administrator issued a token for specialist1 and read every
    contact through the API in specialist1's name."""
    target = getattr(city, who)
    response = client_for(city.admin).post(TOKENS_URL, {"user": target.pk, "name": "x", "scope": "read", "days": 30})
    assert response.context["new_key"] is None
    assert "user" in response.context["form"].errors
    with pytest.raises(PermissionDenied):
        token_issue(actor=city.admin, user=target, name="なりすまし")
    assert not ApiToken.objects.exists()


def test_a_member_of_staff_gets_a_token_only_for_themselves(city, rokuon):
    token, _key = token_issue(actor=city.staff, user=city.staff, name="自分用")
    assert token.is_usable and token.approved_by == city.staff
    for other in (city.supervisor, rokuon):
        with pytest.raises(PermissionDenied):
            token_issue(actor=city.staff, user=other, name="他人用")


def test_key_is_not_shown_again(client_for, city, rokuon):
    client = client_for(city.admin)
    form = {"user": rokuon.pk, "name": "連携", "scope": "write", "days": 7}
    key = client.post(TOKENS_URL, form).context["new_key"]
    page = client.get(TOKENS_URL).content.decode()
    assert key not in page
    assert ApiToken.objects.get().prefix in page


def test_inactive_service_account_cannot_get_a_token(client_for, city, rokuon):
    rokuon.is_active = False
    rokuon.save(update_fields=["is_active"])
    response = client_for(city.admin).post(TOKENS_URL, {"user": rokuon.pk, "name": "連携", "scope": "read", "days": 7})
    assert response.status_code == 200
    assert response.context["new_key"] is None
    assert "user" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_form_checks_days_and_addresses(client_for, city, rokuon, settings):
    settings.MAMORU_API_TOKEN_MAX_DAYS = 30
    client = client_for(city.admin)
    too_long = client.post(TOKENS_URL, {"user": rokuon.pk, "name": "連携", "scope": "read", "days": 31})
    assert "days" in too_long.context["form"].errors
    bad = {"user": rokuon.pk, "name": "連携", "scope": "read", "days": 7, "allowed_addresses": "192.0.2.0/24\n市役所"}
    response = client.post(TOKENS_URL, bad)
    assert "IP アドレス" in str(response.context["form"].errors["allowed_addresses"])
    assert not ApiToken.objects.exists()


def test_administrator_revokes_a_token(client, client_for, city, rokuon):
    token, key = issue(None, rokuon)
    assert api_status(client, key) == 200
    admin = client_for(city.admin)
    response = admin.post(revoke_url(token))
    assert response.status_code == 302
    assert response["Location"] == TOKENS_URL
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action="accounts.token.revoked")
    assert entry.actor == city.admin and entry.object_id == str(token.pk)
    admin.logout()
    assert api_status(admin, key) == 401
    assert token_authenticate(key) is None


def test_revoking_needs_post(client_for, city, rokuon):
    token, _key = issue(None, rokuon)
    assert client_for(city.admin).get(revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_twice_keeps_the_first_time(client_for, city, rokuon):
    token, _key = issue(None, rokuon)
    client = client_for(city.admin)
    client.post(revoke_url(token))
    token.refresh_from_db()
    first = token.revoked_at
    client.post(revoke_url(token))
    token.refresh_from_db()
    assert token.revoked_at == first
    assert AuditEntry.objects.filter(action="accounts.token.revoked").count() == 1


@pytest.mark.parametrize("who", ["staff", "supervisor", "manager", "zeimu_staff", "specialist"])
def test_only_the_administrator_manages_tokens(client, client_for, city, rokuon, who):
    token, key = issue(None, rokuon)
    pending, _ = issue(city.admin, rokuon)
    user = getattr(city, who)
    web = client_for(user)
    response = web.get(TOKENS_URL)
    assert response.status_code == 403
    assert "システム管理者" in response.content.decode()
    assert web.post(TOKENS_URL, {"user": rokuon.pk, "name": "自分用", "scope": "read", "days": 7}).status_code == 403
    assert web.post(revoke_url(token)).status_code == 403
    assert web.post(approve_url(pending)).status_code == 403
    assert ApiToken.objects.count() == 2
    token.refresh_from_db()
    pending.refresh_from_db()
    assert token.revoked_at is None and pending.approved_at is None
    web.logout()
    assert api_status(web, key) == 200


def test_tokens_page_needs_sign_in(client, city):
    response = client.get(TOKENS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_service_account_never_signs_in_on_screen(client, city, rokuon):
    rokuon.set_password(PASSWORD)
    rokuon.save(update_fields=["password"])
    response = client.post("/accounts/login/", {"username": "rokuon", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# --- Expiry, scope, addresses, last use (B4) ------------------------------------


def test_expired_token_is_refused_in_japanese(client, city, rokuon):
    token, key = issue(None, rokuon, days=1)
    assert api_status(client, key) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401
    assert "有効期限" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_lifetime_is_capped(city, rokuon, settings):
    settings.MAMORU_API_TOKEN_MAX_DAYS = 30
    token, _key = issue(None, rokuon)
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    with pytest.raises(ValidationError):
        issue(None, rokuon, days=31)


def _post_resident(client, key):
    return client.post(
        "/api/residents",
        json.dumps({"name": "山田 太郎"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def test_read_token_cannot_write(client, city, rokuon):
    _token, key = issue(None, rokuon, scope="read")
    response = _post_resident(client, key)
    assert response.status_code == 403
    assert "参照専用" in response.json()["detail"]
    _token, key = issue(None, rokuon, scope="write")
    assert _post_resident(client, key).status_code == 201


def test_token_limited_to_residents(client, city, rokuon):
    _token, key = issue(None, rokuon, areas=["residents"])
    assert api_status(client, key, "/api/residents") == 200
    response = client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
    assert "対応記録" in response.json()["detail"]
    # A resident's contacts are contacts: outside this token too.
    assert api_status(client, key, "/api/residents/1/contacts") == 403


def test_address_allow_list(client, city, rokuon):
    token, key = issue(None, rokuon, allowed_addresses="192.0.2.0/24, 2001:db8::1")
    assert token.allowed_addresses.splitlines() == ["192.0.2.0/24", "2001:db8::1/128"]
    response = client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 403
    assert "198.51.100.7" in response.json()["detail"]
    assert api_status(client, key, REMOTE_ADDR="192.0.2.44") == 200
    assert api_status(client, key, REMOTE_ADDR="2001:db8::1") == 200


def test_last_use_time_and_address_are_listed(client, client_for, city, rokuon):
    token, key = issue(None, rokuon)
    assert token.last_used_at is None
    assert api_status(client, key, REMOTE_ADDR="192.0.2.44") == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_address == "192.0.2.44"
    assert "192.0.2.44" in client_for(city.admin).get(TOKENS_URL).content.decode()


# --- Throttling (A11) -------------------------------------------------------------


def test_failed_token_attempts_are_throttled(client, city, rokuon, settings):
    settings.MAMORU_API_TOKEN_FAILURE_LIMIT = 3
    _token, key = issue(None, rokuon)
    for _ in range(3):
        assert api_status(client, TOKEN_PREFIX + "guess", REMOTE_ADDR="198.51.100.9") == 401
    response = client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "一時的に制限" in response.json()["detail"]
    # Another address is not held back by this one's guesses.
    assert api_status(client, key, REMOTE_ADDR="192.0.2.1") == 200


def test_api_requests_are_throttled_per_token(client, city, rokuon, settings):
    settings.MAMORU_API_RATE_PER_MINUTE = 3
    _token, key = issue(None, rokuon)
    _other, other_key = issue(None, rokuon)
    statuses = [api_status(client, key) for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "リクエストが多すぎます" in response.json()["detail"]
    assert api_status(client, other_key) == 200


# --- create-token -------------------------------------------------------------


def test_create_token_command_prints_only_the_key(client, city):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_token", "staff1", "--name", "通話録音システム連携", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert "\n" not in key and key.startswith(TOKEN_PREFIX)
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (city.staff, "通話録音システム連携")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    entry = AuditEntry.objects.get(action="accounts.token.issued")
    assert entry.actor is None and entry.actor_name == "command-line"
    assert api_status(client, key) == 200


def test_create_token_command_scope_areas_and_addresses(city, settings):
    settings.MAMORU_API_TOKEN_MAX_DAYS = 30
    out = io.StringIO()
    call_command(
        "create_token",
        "staff1",
        "--scope",
        "write",
        "--days",
        "7",
        "--area",
        "residents",
        "--allow",
        "192.0.2.0/24",
        stdout=out,
        stderr=io.StringIO(),
    )
    token = ApiToken.objects.get()
    assert (token.scope, token.areas, token.allowed_addresses) == ("write", ["residents"], "192.0.2.0/24")
    assert dt.timedelta(days=6) < token.expires_at - timezone.now() <= dt.timedelta(days=7)
    with pytest.raises(CommandError, match="1〜30日"):
        call_command("create_token", "staff1", "--days", "31", stdout=io.StringIO(), stderr=io.StringIO())


def test_create_token_command_is_read_only_by_default(city):
    call_command("create_token", "staff1", stdout=io.StringIO(), stderr=io.StringIO())
    assert ApiToken.objects.get().scope == "read"


def test_create_token_command_default_name(city):
    call_command("create_token", "staff2", stdout=io.StringIO(), stderr=io.StringIO())
    assert ApiToken.objects.get().name == "API"


def test_create_token_for_unknown_user_fails(city):
    with pytest.raises(CommandError, match="利用者「nobody」は存在しません"):
        call_command("create_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


def test_create_token_for_inactive_user_fails(city):
    city.staff.is_active = False
    city.staff.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="無効"):
        call_command("create_token", "staff1", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


def test_python_m_mamoru_create_token(tmp_path):
    """The command line as an operator types it, on a throwaway SQLite database."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        MAMORU_SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        MAMORU_FAST_PASSWORD_HASHER="1",
        DJANGO_SETTINGS_MODULE="mamoru.settings",
    )

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "mamoru", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("migrate", "--verbosity", "0").returncode == 0
    created = run(
        "shell",
        "-c",
        "from accounts.models import Department\n"
        "from accounts.services import user_create\n"
        "shimin = Department.objects.create(code='shimin', name='市民課')\n"
        "user_create(actor=None, username='rokuon', password='x-long-password', role='staff', department=shimin)",
    )
    assert created.returncode == 0, created.stderr

    result = run("create-token", "rokuon", "--name", "録音")
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip()
    assert result.stdout == key + "\n"
    assert key.startswith(TOKEN_PREFIX)

    unknown = run("create-token", "nobody")
    assert unknown.returncode != 0
    assert unknown.stdout == ""
    assert "利用者「nobody」は存在しません" in unknown.stderr
