from django import template

from mamoru.policy.loader import current as current_policy

register = template.Library()


@register.filter
def policy_category(code):
    """The policy pack's category for a code (with its examples), or None."""
    return current_policy().category(code)
