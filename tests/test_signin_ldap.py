"""Directory sign-in (issue 13 B2) against a real OpenLDAP ``slapd`` started on loopback
(tests/ldap_server.py): directory groups give roles and departments, users are created and
updated at sign-in (audited), users the mapping gives nothing are refused, and local passwords
keep working only for the break-glass administrator."""

import json
import runpy

import pytest
from django.conf import settings as django_settings
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry

from . import ldap_server
from .conftest import PASSWORD

LOGIN = "/accounts/login/"
BASE = ldap_server.SUFFIX
PEOPLE = f"ou=people,{BASE}"
GROUPS = f"ou=groups,{BASE}"


def _person(uid: str, name: str, password: str) -> str:
    return f"""dn: uid={uid},{PEOPLE}
objectClass: inetOrgPerson
uid: {uid}
cn: {uid}
sn: {uid}
displayName:: {_b64(name)}
mail: {uid}@city.example.jp
userPassword: {password}
"""


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def _group(cn: str, *members: str) -> str:
    lines = "".join(f"member: {member}\n" for member in members)
    return f"dn: cn={cn},{GROUPS}\nobjectClass: groupOfNames\ncn: {cn}\n{lines}"


def uid(name: str) -> str:
    return f"uid={name},{PEOPLE}"


LDIF = "\n".join(
    [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: city\no: city\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
        _person("tanaka", "田中 専門", "tanaka-directory-pw"),
        _person("suzuki", "鈴木 窓口", "suzuki-directory-pw"),
        _person("kato", "加藤 係長", "kato-directory-pw"),
        _person("sato", "佐藤 外部", "sato-directory-pw"),
        _person("nodept", "所属 なし", "nodept-directory-pw"),
        _person("admin", "名前 だけ同じ", "admin-directory-pw"),
        _person("staff1", "市民 一郎", "staff1-directory-pw"),
        _group("mamoru-specialists", uid("tanaka")),
        _group("mamoru-staff", uid("suzuki"), uid("nodept"), uid("staff1")),
        _group("mamoru-supervisors", f"cn=shimin-leaders,{GROUPS}"),
        _group("shimin-leaders", uid("kato")),
        _group("mamoru-admins", uid("admin")),
        _group("dept-shimin", uid("suzuki"), uid("kato"), uid("staff1")),
        _group("dept-somu", uid("tanaka")),
        _group("library", uid("sato")),
    ]
)


@pytest.fixture
def directory(tmp_path):
    directory, process = ldap_server.start(tmp_path / "slapd", LDIF)
    yield directory
    ldap_server.stop(process)


@pytest.fixture
def directory_settings(directory, settings, monkeypatch):
    """mamoru/settings.py read afresh with the MAMORU_LDAP_* variables a city would set,
    its directory settings applied to this test."""
    env = {
        "MAMORU_LDAP_URL": directory.url,
        "MAMORU_LDAP_BIND_DN": directory.root_dn,
        "MAMORU_LDAP_BIND_PASSWORD": directory.root_password,
        "MAMORU_LDAP_USER_BASE": PEOPLE,
        "MAMORU_LDAP_GROUP_BASE": GROUPS,
        "MAMORU_LDAP_ROLE_GROUPS": json.dumps(
            {
                f"cn=mamoru-admins,{GROUPS}": "administrator",
                f"cn=mamoru-specialists,{GROUPS}": "specialist",
                f"cn=mamoru-supervisors,{GROUPS}": "supervisor",
                f"cn=mamoru-staff,{GROUPS}": "staff",
            }
        ),
        "MAMORU_LDAP_DEPARTMENT_GROUPS": json.dumps(
            {f"cn=dept-shimin,{GROUPS}": "shimin", f"cn=dept-somu,{GROUPS}": "somu"}
        ),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    loaded = runpy.run_path(str(django_settings.BASE_DIR / "mamoru" / "settings.py"))
    for name, value in loaded.items():
        if name.startswith(("AUTH_LDAP_", "MAMORU_LDAP_")) or name == "AUTHENTICATION_BACKENDS":
            setattr(settings, name, value)
    return directory


def sign_in(username: str, password: str) -> tuple[Client, int]:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response.status_code


def modify_group(directory, cn: str, *, add: str = "", delete: str = "") -> None:
    import ldap

    connection = ldap.initialize(directory.url)
    connection.simple_bind_s(directory.root_dn, directory.root_password)
    changes = []
    if add:
        changes.append((ldap.MOD_ADD, "member", [add.encode()]))
    if delete:
        changes.append((ldap.MOD_DELETE, "member", [delete.encode()]))
    connection.modify_s(f"cn={cn},{GROUPS}", changes)
    connection.unbind_s()


def test_directory_is_off_unless_configured(monkeypatch):
    monkeypatch.delenv("MAMORU_LDAP_URL", raising=False)
    loaded = runpy.run_path(str(django_settings.BASE_DIR / "mamoru" / "settings.py"))
    assert loaded["AUTHENTICATION_BACKENDS"] == ["accounts.backends.UserBackend"]
    assert "AUTH_LDAP_SERVER_URI" not in loaded


def test_directory_user_is_created_with_role_and_department(city, directory_settings):
    client, status = sign_in("tanaka", "tanaka-directory-pw")
    assert status == 302
    user = User.objects.get(username="tanaka")
    assert user.role == "specialist" and user.department == city.somu
    assert user.full_name == "田中 専門" and user.email == "tanaka@city.example.jp"
    assert not user.has_usable_password()
    assert client.get("/contacts/").status_code == 200
    entry = AuditEntry.objects.get(action="accounts.directory.user_created")
    assert entry.object_id == str(user.pk) and entry.actor is None


def test_wrong_directory_password_is_refused(city, directory_settings):
    _client, status = sign_in("tanaka", "not-the-password")
    assert status == 200
    assert not User.objects.filter(username="tanaka").exists()


def test_nested_group_gives_the_role(city, directory_settings):
    _client, status = sign_in("kato", "kato-directory-pw")
    assert status == 302
    user = User.objects.get(username="kato")
    assert user.role == "supervisor" and user.department == city.shimin


def test_group_change_updates_the_user_at_next_sign_in(city, directory_settings):
    assert sign_in("suzuki", "suzuki-directory-pw")[1] == 302
    assert User.objects.get(username="suzuki").role == "staff"
    modify_group(directory_settings, "shimin-leaders", add=uid("suzuki"))
    assert sign_in("suzuki", "suzuki-directory-pw")[1] == 302
    user = User.objects.get(username="suzuki")
    assert user.role == "supervisor"
    entry = AuditEntry.objects.get(action="accounts.directory.user_updated")
    assert entry.before["role"] == "staff" and entry.after["role"] == "supervisor"
    # Signing in again with nothing changed writes no update entry.
    assert sign_in("suzuki", "suzuki-directory-pw")[1] == 302
    assert AuditEntry.objects.filter(action="accounts.directory.user_updated").count() == 1


def test_removed_from_every_role_group_is_refused(city, directory_settings):
    assert sign_in("suzuki", "suzuki-directory-pw")[1] == 302
    modify_group(directory_settings, "mamoru-staff", delete=uid("suzuki"))
    assert sign_in("suzuki", "suzuki-directory-pw")[1] == 200
    assert AuditEntry.objects.filter(action="accounts.directory.refused", actor_name="suzuki").exists()


@pytest.mark.parametrize("username", ["sato", "nodept"])
def test_directory_user_without_a_mapped_role_or_department_is_refused(city, directory_settings, username):
    _client, status = sign_in(username, f"{username}-directory-pw")
    assert status == 200
    assert not User.objects.filter(username=username).exists()
    assert AuditEntry.objects.filter(action="accounts.directory.refused", actor_name=username).exists()


def test_break_glass_administrator_signs_in_with_the_local_password(city, directory_settings):
    client, status = sign_in("admin", PASSWORD)
    assert status == 302
    assert client.get("/accounts/administration/").status_code == 200


def test_directory_entry_cannot_take_over_the_local_administrator(city, directory_settings):
    _client, status = sign_in("admin", "admin-directory-pw")
    assert status == 200
    city.admin.refresh_from_db()
    assert city.admin.has_usable_password() and city.admin.full_name == "管理 者"
    assert AuditEntry.objects.filter(action="accounts.directory.refused", actor_name="admin").exists()


def test_local_passwords_of_other_roles_stop_working(city, directory_settings):
    assert sign_in("supervisor1", PASSWORD)[1] == 200  # not in the directory, not break-glass


def test_directory_takes_over_a_local_account_of_the_same_name(city, directory_settings):
    assert sign_in("staff1", "staff1-directory-pw")[1] == 302
    city.staff.refresh_from_db()
    assert not city.staff.has_usable_password()
    assert city.staff.role == "staff" and city.staff.department == city.shimin
    assert sign_in("staff1", PASSWORD)[1] == 200


def test_second_sign_in_checks_the_directory_password(city, directory_settings):
    import time

    from accounts import twofactor

    client, status = sign_in("suzuki", "suzuki-directory-pw")
    assert status == 302
    session = client.session
    session[twofactor.SIGNED_IN_AT] = time.time() - 3600
    session.save()
    assert client.get("/contacts/?format=csv").status_code == 302
    assert client.post("/accounts/reauthenticate/", {"password": "wrong"}).status_code == 200
    done = client.post("/accounts/reauthenticate/", {"password": "suzuki-directory-pw", "next": "/contacts/"})
    assert done.status_code == 302 and done["Location"] == "/contacts/"
    assert client.get("/contacts/?format=csv").status_code == 200


def test_without_slapd_the_tests_fail_saying_how_to_install(monkeypatch):
    monkeypatch.setattr(ldap_server, "SLAPD_CANDIDATES", ())
    monkeypatch.setattr(ldap_server.shutil, "which", lambda name: None)
    monkeypatch.delenv(ldap_server.SKIP_VARIABLE, raising=False)
    with pytest.raises(pytest.fail.Exception, match="make ldap"):
        ldap_server.require_slapd()
    monkeypatch.setenv(ldap_server.SKIP_VARIABLE, "1")
    with pytest.raises(pytest.skip.Exception):
        ldap_server.require_slapd()


def test_directory_down_refuses_directory_users_and_keeps_the_break_glass_administrator(
    city, directory_settings, settings
):
    settings.AUTH_LDAP_SERVER_URI = f"ldap://127.0.0.1:{ldap_server._free_port()}"  # nothing listens there
    _client, status = sign_in("tanaka", "tanaka-directory-pw")
    assert status == 200
    assert sign_in("admin", PASSWORD)[1] == 302
