"""Reads for letters, narrowed to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import LetterTemplate
from .permissions import may_edit_templates


def letter_template_list(*, user) -> QuerySet[LetterTemplate]:
    """Templates, for the system administrator and the specialist section; nothing for others."""
    templates = LetterTemplate.objects.select_related("updated_by")
    return templates if may_edit_templates(user) else templates.none()


def letter_template_get(*, user, pk: int) -> LetterTemplate:
    """One template; 404 for anyone who may not edit templates."""
    return get_object_or_404(letter_template_list(user=user), pk=pk)
