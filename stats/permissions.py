"""Who may read the figures: managers (their department) and the specialist
section (every department). Staff and supervisors work from their home page's
to-do lists; the system administrator reads no resident's record, counted or not."""

from accounts.permissions import is_manager, is_specialist


def may_read_statistics(user) -> bool:
    return is_manager(user) or is_specialist(user)


def may_read_staff_exposure(user) -> bool:
    """Harassment handled per staff member, for rotation decisions: never other staff."""
    return is_manager(user) or is_specialist(user)


def may_read_all_departments(user) -> bool:
    return is_specialist(user)
