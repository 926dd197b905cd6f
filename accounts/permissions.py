"""Who may do what: the one place views, services, the API, the realtime consumer and
templates ask. Each app with rules of its own keeps them in its ``permissions.py`` and
builds on these; nothing else compares role names."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .choices import Role

HANDLER_ROLES = frozenset({Role.STAFF, Role.SUPERVISOR, Role.MANAGER, Role.SPECIALIST})
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.SPECIALIST})


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


def is_manager(user) -> bool:
    return _role(user) == Role.MANAGER


def is_specialist(user) -> bool:
    return _role(user) == Role.SPECIALIST


def is_administrator(user) -> bool:
    return _role(user) == Role.ADMINISTRATOR


def require_handler(user) -> None:
    if not handles_contacts(user):
        raise PermissionDenied(_("対応記録を扱う権限がありません。"))


def require_supervisor(user, message: str | None = None) -> None:
    if not is_supervisor_or_above(user):
        raise PermissionDenied(message or _("上司・管理職・専門部署のみが行えます。"))


def require_specialist(user, message: str | None = None) -> None:
    if not is_specialist(user):
        raise PermissionDenied(message or _("専門部署のみが行えます。"))
