"""The rows of a contact table, rendered in Python.

A resident's history or a list page shows 50 rows of ten cells; through the
template engine each row cost about 140 µs (about 7 ms a page), most of a
page's time. The cells are the same as the template wrote them."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from mamoru.policy.loader import current as current_policy
from mamoru.templatetags.mamoru_tags import duration, jdatetime

register = template.Library()

ROW = (
    '<tr class="{}"><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"
)


@register.simple_tag(takes_context=True)
def contact_rows(context, contacts):
    pack = current_policy()
    category_names = pack.category_names()
    policy_order = {code: index for index, code in enumerate(category_names)}  # the policy's own order
    live = format_html('<span class="badge live">{}</span>', _("対応中"))
    unknown = _("不明")
    rows = []
    for contact in contacts:
        resident = (
            contact.resident.name
            if contact.resident
            else format_html('<span class="muted">{}</span>', contact.resident_description or unknown)
        )
        codes = sorted(
            (c.code for c in contact.categories.all()), key=lambda code: policy_order.get(code, len(policy_order))
        )
        categories = format_html_join(
            "", '<span class="tag">{}</span>', ((category_names.get(code, code),) for code in codes)
        )
        rows.append(
            format_html(
                ROW,
                "is-harassment" if contact.harassment == "yes" else "",
                reverse("records:contact_detail", args=[contact.pk]),
                contact.number,
                jdatetime(context, contact.started_at),
                duration(contact.duration_seconds) if contact.ended_at else live,
                contact.department.name,
                pack.channel_name(contact.channel),
                contact.staff.display_name,
                resident,
                Truncator(contact.summary).chars(40),
                contact.get_harassment_display(),
                categories,
            )
        )
    return mark_safe("\n".join(rows))
