"""API tokens: issued and revoked by the administrator on the administration
pages or with ``python -m mamoru create-token``; only a hash of the key is kept."""

import hashlib
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.models import ApiToken
from accounts.services import TOKEN_PREFIX, token_authenticate, token_issue
from audit.models import AuditEntry

TOKENS_URL = "/accounts/administration/tokens/"


def revoke_url(token):
    return f"{TOKENS_URL}{token.pk}/revoke/"


def api_status(client, key):
    return client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"}).status_code


def test_administrator_issues_a_token(client_for, city):
    client = client_for(city.admin)
    response = client.post(TOKENS_URL, {"user": city.staff.pk, "name": "通話録音システム連携"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith(TOKEN_PREFIX)
    assert key in response.content.decode()  # shown once, on this page
    assert "再表示できません" in response.content.decode()

    token = ApiToken.objects.get()
    assert (token.user, token.name, token.created_by) == (city.staff, "通話録音システム連携", city.admin)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix) and len(token.prefix) < len(key)
    # The key itself is nowhere in the database: not on the token, not in the audit log.
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    stored += [str(row) for row in AuditEntry.objects.values_list()]
    assert not any(key in value for value in stored)

    entry = AuditEntry.objects.get(action="accounts.token.issued")
    assert entry.actor == city.admin and entry.object_id == str(token.pk)

    assert token_authenticate(key) == city.staff
    client.logout()
    assert api_status(client, key) == 200


def test_key_is_not_shown_again(client_for, city):
    client = client_for(city.admin)
    key = client.post(TOKENS_URL, {"user": city.staff.pk, "name": "連携"}).context["new_key"]
    page = client.get(TOKENS_URL).content.decode()
    assert key not in page
    assert ApiToken.objects.get().prefix in page


def test_inactive_user_cannot_get_a_token(client_for, city):
    city.staff.is_active = False
    city.staff.save(update_fields=["is_active"])
    response = client_for(city.admin).post(TOKENS_URL, {"user": city.staff.pk, "name": "連携"})
    assert response.status_code == 200
    assert response.context["new_key"] is None
    assert "user" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_administrator_revokes_a_token(client, client_for, city):
    token, key = token_issue(actor=city.admin, user=city.staff, name="連携")
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


def test_revoking_needs_post(client_for, city):
    token, _key = token_issue(actor=city.admin, user=city.staff, name="連携")
    assert client_for(city.admin).get(revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_twice_keeps_the_first_time(client_for, city):
    token, _key = token_issue(actor=city.admin, user=city.staff, name="連携")
    client = client_for(city.admin)
    client.post(revoke_url(token))
    token.refresh_from_db()
    first = token.revoked_at
    client.post(revoke_url(token))
    token.refresh_from_db()
    assert token.revoked_at == first
    assert AuditEntry.objects.filter(action="accounts.token.revoked").count() == 1


@pytest.mark.parametrize("who", ["staff", "supervisor", "manager", "zeimu_staff", "specialist"])
def test_only_the_administrator_manages_tokens(client, client_for, city, who):
    token, key = token_issue(actor=city.admin, user=city.staff, name="連携")
    user = getattr(city, who)
    web = client_for(user)
    response = web.get(TOKENS_URL)
    assert response.status_code == 403
    assert "システム管理者" in response.content.decode()
    assert web.post(TOKENS_URL, {"user": user.pk, "name": "自分用"}).status_code == 403
    assert web.post(revoke_url(token)).status_code == 403
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None
    web.logout()
    assert api_status(web, key) == 200


def test_tokens_page_needs_sign_in(client, city):
    response = client.get(TOKENS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


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
