"""Who may read what in the audit log, built on ``accounts.permissions``."""

from accounts.permissions import is_specialist, may_read_audit

__all__ = ["may_read_audit", "may_read_audit_contents"]


def may_read_audit_contents(user) -> bool:
    """The objects' names (a resident's name, a measure's title) and what changed.
    The specialist section only: the system administrator reads the audit log as
    who did what to which kind of object and its id (issue 13, A2)."""
    return is_specialist(user)
