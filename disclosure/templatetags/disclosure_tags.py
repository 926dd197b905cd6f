"""``{% load disclosure_tags %}``: the questions templates ask about personal-data requests."""

from django import template

from disclosure import permissions

register = template.Library()


@register.filter
def may_handle_disclosure(user) -> bool:
    """``{% if user|may_handle_disclosure %}``: the nav entry and the resident page's panel."""
    return permissions.may_handle_requests(user)
