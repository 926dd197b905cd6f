"""Who may do what: the one place views, services, the API, the realtime consumer and
templates ask. Each app with rules of its own keeps them in its ``permissions.py`` and
builds on these; nothing else compares role names.

Every question takes the user as loaded (a request's user, a reloaded user in the
realtime consumer, a service's ``actor``). An anonymous or inactive user may do
nothing. The querysets that match these rules (e.g. ``department_responder_list``)
live in ``accounts.selectors``."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .choices import Role

HANDLER_ROLES = frozenset({Role.STAFF, Role.SUPERVISOR, Role.MANAGER, Role.SPECIALIST})
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.SPECIALIST})
# Alerted in a department's name (backup calls, case reports, 判断待ち): its 上司 and 管理職.
DEPARTMENT_RESPONDER_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER})
AUDIT_READER_ROLES = frozenset({Role.SPECIALIST, Role.ADMINISTRATOR})


def _role(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return None
    return user.role


def handles_contacts(user) -> bool:
    """Staff, supervisors, managers and the specialist section work with contacts and residents;
    the system administrator never reads them."""
    return _role(user) in HANDLER_ROLES


def is_supervisor_or_above(user) -> bool:
    return _role(user) in SUPERVISOR_ROLES


def is_supervisor(user) -> bool:
    return _role(user) == Role.SUPERVISOR


def is_manager(user) -> bool:
    return _role(user) == Role.MANAGER


def is_specialist(user) -> bool:
    return _role(user) == Role.SPECIALIST


def is_administrator(user) -> bool:
    return _role(user) == Role.ADMINISTRATOR


def may_read_audit(user) -> bool:
    """The audit log: the specialist section and the system administrator."""
    return _role(user) in AUDIT_READER_ROLES


def is_department_supervisor(user, department_id: int | None) -> bool:
    """A 上司 or 管理職 of this department (not the specialist section)."""
    return (
        _role(user) in DEPARTMENT_RESPONDER_ROLES and department_id is not None and user.department_id == department_id
    )


def is_department_manager(user, department_id: int | None) -> bool:
    """A 管理職 of this department."""
    return _role(user) == Role.MANAGER and department_id is not None and user.department_id == department_id


def is_department_responder(user, department_id: int | None) -> bool:
    """Alerted in the department's name and may act on it: the department's 上司 and 管理職,
    and the specialist section (every department). The audience of a backup call, of a
    case report, and of the measures that wait for a department's supervisors."""
    return is_specialist(user) or is_department_supervisor(user, department_id)


def may_see_department(user, department_id: int | None) -> bool:
    """Reads a department's contacts, residents' histories and cases: its own members
    who handle contacts, and the specialist section (every department)."""
    if not handles_contacts(user) or department_id is None:
        return False
    return is_specialist(user) or user.department_id == department_id


def require_handler(user, message: str | None = None) -> None:
    if not handles_contacts(user):
        raise PermissionDenied(message or _("対応記録を扱う権限がありません。"))


def require_supervisor(user, message: str | None = None) -> None:
    if not is_supervisor_or_above(user):
        raise PermissionDenied(message or _("上司・管理職・専門部署のみが行えます。"))


def require_specialist(user, message: str | None = None) -> None:
    if not is_specialist(user):
        raise PermissionDenied(message or _("専門部署のみが行えます。"))


def require_administrator(user, message: str | None = None) -> None:
    if not is_administrator(user):
        raise PermissionDenied(message or _("システム管理者のみが行えます。"))
