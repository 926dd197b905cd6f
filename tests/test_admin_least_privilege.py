"""The system administrator's least privilege (issue 13, A2): Django's admin site keeps users
and departments only; a password reset and a role change go through the services (audited,
told to the user and the other administrators); an administrator never changes their own role."""

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Department, User
from accounts.services import user_create, user_save_by_admin
from audit.models import AuditEntry
from notifications.models import Notification
from tests.conftest import PASSWORD

NEW_PASSWORD = "tadashii-uma-denchi-hotchkiss"


@pytest.fixture
def admin2(city):
    return user_create(actor=None, username="admin2", password=PASSWORD, role="administrator", department=None)


def test_admin_site_keeps_only_users_and_departments(client_for, city):
    assert set(admin.site._registry) == {User, Department}
    client = client_for(city.admin)
    assert client.get("/admin/").status_code == 200
    for path in ("/admin/repetition/repetitionflag/", "/admin/auth/group/", "/admin/records/contact/"):
        assert client.get(path).status_code == 404, path


def test_password_reset_on_admin_site_is_audited_and_told(client, client_for, city, admin2):
    """Issue 13, A2b: the reset left no entry in the app's audit log and nobody knew."""
    web = client_for(city.admin)
    url = f"/admin/accounts/user/{city.specialist.pk}/password/"
    assert web.get(url).status_code == 200
    response = web.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    city.specialist.refresh_from_db()
    assert city.specialist.check_password(NEW_PASSWORD)

    entry = AuditEntry.objects.get(action="accounts.user.password_reset")
    assert (entry.actor, entry.object_id) == (city.admin, str(city.specialist.pk))
    told = Notification.objects.filter(text__contains="パスワードを再設定")
    assert set(told.values_list("user__username", flat=True)) == {"specialist1", "admin2"}


def test_password_reset_needs_an_administrator(client_for, city):
    response = client_for(city.specialist).get(f"/admin/accounts/user/{city.staff.pk}/password/")
    assert response.status_code in (302, 403)
    assert not AuditEntry.objects.filter(action="accounts.user.password_reset").exists()


def test_role_change_is_audited_and_told(city, admin2):
    user = User.objects.get(pk=city.staff.pk)
    user.role = "supervisor"
    user_save_by_admin(actor=city.admin, user=user, changed_fields=["role"])
    entry = AuditEntry.objects.get(action="accounts.user.role_changed")
    assert (entry.before, entry.after) == ({"role": "staff"}, {"role": "supervisor"})
    told = Notification.objects.filter(text__contains="役割")
    assert set(told.values_list("user__username", flat=True)) == {"staff1", "admin2"}


@pytest.mark.parametrize("role", ["specialist", "staff", "supervisor", "manager"])
def test_administrator_cannot_change_their_own_role(city, role):
    """Issue 13, A2c: the administrator made themselves 専門部署."""
    me = User.objects.get(pk=city.admin.pk)
    me.role = role
    me.department = city.somu
    with pytest.raises(PermissionDenied):
        user_save_by_admin(actor=city.admin, user=me, changed_fields=["role", "department"])
    city.admin.refresh_from_db()
    assert city.admin.role == "administrator"


def test_own_role_is_read_only_on_the_admin_site(client_for, city):
    web = client_for(city.admin)
    url = f"/admin/accounts/user/{city.admin.pk}/change/"
    page = web.get(url).content.decode()
    assert 'name="role"' not in page
    other = web.get(f"/admin/accounts/user/{city.staff.pk}/change/").content.decode()
    assert 'name="role"' in other
    form = {
        "username": "admin",
        "full_name": "管理 者",
        "role": "specialist",
        "department": city.somu.pk,
        "date_style": "wareki",
        "is_active": "on",
    }
    web.post(url, form)
    city.admin.refresh_from_db()
    assert city.admin.role == "administrator"


def test_another_administrator_may_change_a_role(city, admin2):
    other = User.objects.get(pk=admin2.pk)
    other.role = "staff"
    other.department = city.shimin
    user_save_by_admin(actor=city.admin, user=other, changed_fields=["role", "department"])
    other.refresh_from_db()
    assert other.role == "staff" and not other.is_staff


def test_service_account_needs_a_role_that_handles_records(city):
    with pytest.raises(ValidationError):
        user_create(
            actor=None, username="x", password="", role="administrator", department=None, is_service_account=True
        )
    account = user_create(
        actor=None, username="rokuon", password="", role="staff", department=city.shimin, is_service_account=True
    )
    assert not account.has_usable_password()


def test_a_new_account_that_reads_records_is_told_to_the_other_administrators(city, admin2):
    """An administrator who makes an account for themselves to sign in with is seen doing so."""
    account = User(username="kakushi", role="specialist", department=city.somu)
    account.set_password(NEW_PASSWORD)
    user_save_by_admin(actor=city.admin, user=account, changed_fields=["username", "role", "department"])
    told = Notification.objects.filter(text__contains="kakushi")
    assert "admin2" in set(told.values_list("user__username", flat=True))
    assert AuditEntry.objects.get(action="accounts.user.created", object_id=str(account.pk)).actor == city.admin


def test_turning_a_colleague_into_a_service_account_is_seen(city, admin2):
    """Marking specialist1 as a service account (to request a token in their name) takes away
    their password and is told to the other administrators."""
    user = User.objects.get(pk=city.specialist.pk)
    user.is_service_account = True
    user_save_by_admin(actor=city.admin, user=user, changed_fields=["is_service_account"])
    user.refresh_from_db()
    assert not user.has_usable_password()
    told = Notification.objects.filter(text__contains="連携用アカウント")
    assert set(told.values_list("user__username", flat=True)) == {"admin2"}
