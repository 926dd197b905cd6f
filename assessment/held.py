"""What assessment holds about a resident, for a disclosure request (``people.hooks.resident_data_held``):
the categories the assistant suggested for their contacts and what staff decided (the city's labels)."""

from django.utils.translation import gettext as _

from mamoru.lib.held import STAFF, held_field, held_item, held_section
from mamoru.policy.loader import current as current_policy

from .models import Suggestion


def resident_data_held(*, actor, resident, **kwargs):
    suggestions = (
        Suggestion.objects.filter(contact__resident=resident)
        .select_related("contact", "decided_by")
        .order_by("contact__started_at", "contact_id", "code")
    )
    names = current_policy().category_names()
    items = [
        held_item(
            f"assessment.suggestion:{suggestion.pk}",
            _("対応記録 No.{number} への類型の提案").format(number=suggestion.contact.number),
            [
                held_field(_("提案した類型"), names.get(suggestion.code, suggestion.code)),
                held_field(_("判断"), suggestion.get_decision_display()),
                held_field(_("判断日時"), suggestion.decided_at),
                held_field(_("判断した職員"), suggestion.decided_by.display_name, kind=STAFF),
            ],
        )
        for suggestion in suggestions
    ]
    if not items:
        return None
    return held_section(
        "assessment.suggestions",
        _("類型の提案（判断の支援）"),
        items,
        order=60,
        note=_("対応記録の内容から自動で提案した類型と、職員が採用したかどうかの記録です。"),
    )
