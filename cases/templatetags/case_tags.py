from django import template

from mamoru.policy.loader import current as current_policy

register = template.Library()


@register.filter
def case_state_name(code):
    return current_policy().case_state_name(code or "")


@register.filter
def follow_up_kind_name(code):
    return current_policy().follow_up_kind_name(code or "")


@register.filter
def case_reason_name(code):
    """「応援要請」 for ``backup_call``: why a contact was brought into a case."""
    from cases.choices import CaseReason

    return CaseReason(code).label if code in CaseReason.values else code
