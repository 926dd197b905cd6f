from django import template

from stats import permissions

register = template.Library()


@register.filter
def may_read_statistics(user) -> bool:
    return permissions.may_read_statistics(user)


@register.filter
def may_read_staff_exposure(user) -> bool:
    return permissions.may_read_staff_exposure(user)
