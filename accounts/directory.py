"""Directory sign-in (issue 13 B2): the city's LDAP / Active Directory through django-auth-ldap,
on only when ``MAMORU_LDAP_URL`` is set (``mamoru/settings.py``).

The directory checks the password; its groups give the role (``MAMORU_LDAP_ROLE_GROUPS``) and
the department (``MAMORU_LDAP_DEPARTMENT_GROUPS``). A directory user is created, or brought in
step with the directory, at each sign-in (``user_sync_from_directory``, audited); one in no
mapped role group, or without a department their role needs, is refused. Local passwords keep
working for the roles in ``MAMORU_LDAP_LOCAL_ROLES`` only (the break-glass administrator), and
the directory never takes over such an account."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django_auth_ldap.backend import LDAPBackend

from audit.services import audit_record

from .backends import UserBackend
from .choices import Role
from .models import Department, User
from .services import user_apply_role

logger = logging.getLogger(__name__)

DIRECTORY = "directory"  # the actor's name in the audit log


class DirectoryRefused(Exception):
    """The directory knows the user, but mamoru gives them no role."""


def directory_role_and_department(group_dns) -> tuple[str, Department | None]:
    """The role and the department the directory groups give (first match in the settings'
    order); ``DirectoryRefused`` when they give none, or no department where the role needs one."""
    groups = {dn.lower() for dn in group_dns}
    role = next(
        (r for dn, r in settings.MAMORU_LDAP_ROLE_GROUPS.items() if dn.lower() in groups and r in Role.values), None
    )
    if role is None:
        raise DirectoryRefused("no role group")
    department = None
    if role != Role.ADMINISTRATOR:
        code = next((c for dn, c in settings.MAMORU_LDAP_DEPARTMENT_GROUPS.items() if dn.lower() in groups), None)
        department = Department.objects.filter(code=code, is_active=True).first() if code else None
        if department is None:
            raise DirectoryRefused(f"no department for {role} (group code {code!r})")
    return role, department


@transaction.atomic
def user_sync_from_directory(
    *, username: str, role: str, department: Department | None, attributes: dict[str, str]
) -> User:
    """Create the directory user, or bring their role, department, name and address in step
    with the directory; audited when anything changed. The actor is the directory itself."""
    user = (
        User.objects.select_for_update().filter(username__iexact=username).order_by("pk").first()
    )  # no join: FOR UPDATE on PostgreSQL
    created = user is None
    if created:
        user = User(username=username)
        user.set_unusable_password()
    before = {"role": user.role, "department": user.department_id, "is_active": user.is_active}
    if not created and user.has_usable_password():
        user.set_unusable_password()  # the directory has the password now
    user.role = role
    user.department = department
    for field, value in attributes.items():
        setattr(user, field, value[: User._meta.get_field(field).max_length])
    user_apply_role(user)
    user.save()
    after = {"role": role, "department": department.pk if department else None, "is_active": user.is_active}
    if created:
        audit_record(actor=None, actor_name=DIRECTORY, action="accounts.directory.user_created", obj=user, after=after)
    elif before != after:
        audit_record(
            actor=None,
            actor_name=DIRECTORY,
            action="accounts.directory.user_updated",
            obj=user,
            before=before,
            after=after,
        )
    return user


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap, creating and updating users through ``user_sync_from_directory``."""

    def get_or_build_user(self, username, ldap_user):
        local = User.objects.filter(username__iexact=username, role__in=settings.MAMORU_LDAP_LOCAL_ROLES).first()
        if local is not None and local.has_usable_password():
            # The break-glass account stays local: a directory entry of the same name cannot take it.
            self._refuse(ldap_user, username, "local account")
        try:
            role, department = directory_role_and_department(ldap_user.group_dns)
        except DirectoryRefused as refusal:
            self._refuse(ldap_user, username, str(refusal))
        attributes = {}
        for field, attribute in settings.MAMORU_LDAP_ATTRIBUTES.items():
            values = (ldap_user.attrs or {}).get(attribute) or []
            if values and field in ("full_name", "full_name_kana", "email", "workplace"):
                attributes[field] = str(values[0])
        user = user_sync_from_directory(username=username, role=role, department=department, attributes=attributes)
        return user, False  # saved already: django-auth-ldap has nothing left to save

    @staticmethod
    def _refuse(ldap_user, username: str, reason: str):
        logger.warning("ディレクトリの利用者 %s のログインを拒否しました: %s", username, reason)
        audit_record(
            actor=None, actor_name=username[:150], action="accounts.directory.refused", after={"reason": reason}
        )
        raise ldap_user.AuthenticationFailed(reason)

    def get_user(self, user_id):
        return UserBackend().get_user(user_id)


class LocalBackend(UserBackend):
    """With the directory on, a local password signs in only the roles in
    ``MAMORU_LDAP_LOCAL_ROLES`` (the break-glass administrator)."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.role in settings.MAMORU_LDAP_LOCAL_ROLES
