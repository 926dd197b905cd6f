"""Who may see what. Every record query starts from these."""

from django.db.models import Q, QuerySet

from .choices import Role
from .models import Department, User
from .permissions import DEPARTMENT_RESPONDER_ROLES


def department_visible_list(*, user) -> QuerySet[Department]:
    """Departments whose contacts the user may see: the specialist section sees
    every department, others their own, the administrator none."""
    if not user.is_authenticated or not user.handles_records:
        return Department.objects.none()
    if user.is_specialist:
        return Department.objects.filter(is_active=True)
    if user.department_id is None:
        return Department.objects.none()
    return Department.objects.filter(pk=user.department_id)


def department_visible_ids(*, user) -> list[int]:
    """The ids of ``department_visible_list``, cached on the user object; a
    member of one department needs no query."""
    cache = getattr(user, "_visible_department_ids", None)
    if cache is None:
        if user.is_authenticated and user.handles_records and not user.is_specialist:
            cache = [user.department_id] if user.department_id else []
        else:
            cache = list(department_visible_list(user=user).values_list("pk", flat=True))
        user._visible_department_ids = cache
    return cache


def department_is_visible(*, user, department: Department) -> bool:
    """Whether ``department`` is in ``department_visible_list``, checked on an
    object already loaded."""
    if not user.is_authenticated or not user.handles_records:
        return False
    if user.is_specialist:
        return department.is_active
    return department.pk == user.department_id


def staff_is_selectable(*, user, staff: User) -> bool:
    """Whether ``user`` may name ``staff`` on a contact: the same rule as
    ``staff_selectable_list``, checked on an object already loaded."""
    return (
        staff.is_active
        and staff.role != Role.ADMINISTRATOR
        and staff.department_id in department_visible_ids(user=user)
    )


def staff_selectable_list(*, user) -> QuerySet[User]:
    """Staff the user may name on a contact: active members of visible departments."""
    return (
        User.objects.filter(is_active=True, department__in=department_visible_ids(user=user))
        .exclude(role=Role.ADMINISTRATOR)
        .select_related("department")
    )


def department_responder_list(*, department_id: int) -> QuerySet[User]:
    """Who is alerted in a department's name (a backup call, a case report, a measure
    waiting for the department's supervisors): the active 上司 and 管理職 of the
    department, and the active specialist section. The queryset form of
    ``accounts.permissions.is_department_responder``."""
    return User.objects.filter(is_active=True).filter(
        Q(department_id=department_id, role__in=DEPARTMENT_RESPONDER_ROLES) | Q(role=Role.SPECIALIST)
    )
