"""Who may see and act on online posts about staff (built on ``accounts.permissions``).

The audience of a post: the specialist section, the staff it is about, and their
department's supervisors and managers (上司・管理職); nobody else, and the system
administrator never (they hold no role that handles contacts)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.permissions import handles_contacts, is_department_supervisor, is_specialist


def may_report_post(user, affected: list) -> bool:
    """Staff report a post about themselves; the specialist section about anyone."""
    if not handles_contacts(user):
        return False
    if is_specialist(user):
        return True
    return bool(affected) and all(person.pk == user.pk for person in affected)


def may_see_post(user, post) -> bool:
    if not handles_contacts(user):
        return False
    if is_specialist(user):
        return True
    affected = list(post.affected_staff.all())
    if any(person.pk == user.pk for person in affected):
        return True
    return any(is_department_supervisor(user, person.department_id) for person in affected)


def may_record_step(user, post) -> bool:
    """The timeline is kept by the specialist section."""
    return is_specialist(user)


def may_add_url(user, post) -> bool:
    """Anyone in the post's audience may add an address (the same post seen again)."""
    return may_see_post(user, post)


def require_see_post(user, post) -> None:
    if not may_see_post(user, post):
        raise PermissionDenied(_("この投稿を見る権限がありません。"))


def require_record_step(user, post) -> None:
    if not may_record_step(user, post):
        raise PermissionDenied(_("投稿への対応の段階を記録できるのは専門部署のみです。"))
