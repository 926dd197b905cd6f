"""Who may do what with contacts, built on ``accounts.permissions``."""

from accounts.permissions import is_specialist, is_supervisor_or_above


def may_decide_judgement(user, contact) -> bool:
    """A contact recorded as 判断に迷う is decided by a supervisor or above of its
    department, or by the specialist section."""
    if not is_supervisor_or_above(user):
        return False
    return is_specialist(user) or user.department_id == contact.department_id
