"""``{% load business_request_tags %}``: the nav entries of the requests from other businesses."""

from django import template

from business_requests import permissions

register = template.Library()


@register.filter
def may_see_business_requests(user) -> bool:
    """The list of requests: the specialist section and managers."""
    return permissions.may_see_list(user)


@register.filter
def has_business_requests_about(user) -> bool:
    """A member of staff named in a request sees the entry to their own view (one query)."""
    return (
        bool(getattr(user, "pk", None))
        and permissions.base.handles_contacts(user)
        and user.business_requests_about.exists()
    )
