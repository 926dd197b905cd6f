"""The rows of a contact table, rendered in Python.

A resident's history or a list page shows 50 rows of ten cells; through the
template engine each row cost about 140 µs (about 7 ms a page), most of a
page's time. The cells are the same as the template wrote them. What is the
same for every row (translations, names from the policy pack, the link's
pattern) is looked up once per table."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from mamoru.policy.loader import current as current_policy
from mamoru.templatetags.mamoru_tags import duration_formatter, jdatetime
from records.choices import HarassmentJudgement

register = template.Library()

ROW = (
    '<tr class="{}"><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"
)
SUMMARY_LENGTH = 40
# A row's class by judgement: harassment marked, 未判断 and 判断に迷う shown apart from 該当しない.
ROW_CLASSES = {
    HarassmentJudgement.YES: "is-harassment",
    HarassmentJudgement.UNDECIDED: "is-undecided",
    HarassmentJudgement.UNSURE: "is-unsure",
}
_PK = 2147483647  # stands for the contact's id in the link's pattern


def _shorten(text: str) -> str:
    """At most SUMMARY_LENGTH characters, the last one an ellipsis when cut."""
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


@register.simple_tag(takes_context=True)
def contact_rows(context, contacts):
    """``contacts``: records.selectors.ContactRow, one per row."""
    pack = current_policy()
    category_names = pack.category_names()
    channel_names = dict(pack.channel_choices())
    policy_order = {code: index for index, code in enumerate(category_names)}  # the policy's own order
    judgements = {value: str(label) for value, label in HarassmentJudgement.choices}
    link = reverse("records:contact_detail", args=[_PK]).replace(str(_PK), "{}")
    duration = duration_formatter()
    live = format_html('<span class="badge live">{}</span>', _("対応中"))
    unknown = _("不明")
    rows = []
    for contact in contacts:
        resident = contact.resident_name or format_html(
            '<span class="muted">{}</span>', contact.resident_description or unknown
        )
        codes = sorted(contact.categories, key=lambda code: policy_order.get(code, len(policy_order)))
        categories = format_html_join(
            "", '<span class="tag">{}</span>', ((category_names.get(code, code),) for code in codes)
        )
        rows.append(
            format_html(
                ROW,
                ROW_CLASSES.get(contact.harassment, ""),
                link.format(contact.pk),
                contact.number,
                jdatetime(context, contact.started_at),
                live if contact.is_live else duration(contact.duration_seconds),
                contact.department_name,
                channel_names.get(contact.channel, contact.channel),
                contact.staff_name,
                resident,
                _shorten(contact.summary),
                judgements.get(contact.harassment, contact.harassment),
                categories,
            )
        )
    return mark_safe("\n".join(rows))
