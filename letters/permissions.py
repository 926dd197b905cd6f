"""Who may do what with letters, built on ``accounts.permissions``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import permissions as base


def may_edit_templates(user) -> bool:
    """Letter templates: the system administrator and the specialist section."""
    return base.is_administrator(user) or base.is_specialist(user)


def may_issue_letters(user) -> bool:
    """Issuing a letter (with a measure): those who handle contacts; never the system administrator."""
    return base.handles_contacts(user)


def require_issuer(user) -> None:
    if not may_issue_letters(user):
        raise PermissionDenied(_("文書を発出できるのは対応記録を扱う職員のみです。"))
