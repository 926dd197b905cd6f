"""Channel-layer group names. A connected user joins the groups of their
department and role; the specialist section joins the city-wide group."""


def department_supervisors(department_id: int) -> str:
    """Supervisors and managers of one department."""
    return f"dept-{department_id}-supervisors"


def department_managers(department_id: int) -> str:
    return f"dept-{department_id}-managers"


def specialist_section() -> str:
    return "specialist-section"


def user(user_id: int) -> str:
    """One user's own connections (e.g. the caller of a backup call)."""
    return f"user-{user_id}"


def groups_for(user_obj) -> list[str]:
    """Every group a signed-in user's connections join."""
    names = [user(user_obj.pk)]
    if user_obj.is_specialist:
        names.append(specialist_section())
    if user_obj.department_id and user_obj.role in ("supervisor", "manager"):
        names.append(department_supervisors(user_obj.department_id))
    if user_obj.department_id and user_obj.role == "manager":
        names.append(department_managers(user_obj.department_id))
    return names
