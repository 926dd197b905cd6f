"""Channel-layer group names. A connected user joins their own group and the
group of their role in their department; the specialist section joins the
city-wide group. The groups do not overlap (a 管理職 is not in the 上司 group),
so an event sent to several groups reaches each connection once."""

from accounts import permissions


def department_supervisors(department_id: int) -> str:
    """The 上司 of one department."""
    return f"dept-{department_id}-supervisors"


def department_managers(department_id: int) -> str:
    """The 管理職 of one department."""
    return f"dept-{department_id}-managers"


def specialist_section() -> str:
    return "specialist-section"


def user(user_id: int) -> str:
    """One user's own connections (e.g. the caller of a backup call)."""
    return f"user-{user_id}"


def department_responders(department_id: int) -> list[str]:
    """Everyone alerted in a department's name: its 上司 and 管理職, and the
    specialist section (``accounts.permissions.is_department_responder``)."""
    return [department_supervisors(department_id), department_managers(department_id), specialist_section()]


def groups_for(user_obj) -> list[str]:
    """Every group a signed-in user's connections join."""
    names = [user(user_obj.pk)]
    if permissions.is_specialist(user_obj):
        names.append(specialist_section())
    elif permissions.is_supervisor(user_obj) and user_obj.department_id:
        names.append(department_supervisors(user_obj.department_id))
    elif permissions.is_manager(user_obj) and user_obj.department_id:
        names.append(department_managers(user_obj.department_id))
    return names
