"""``{% resident_badges resident residents %}``: the badges the apps built on
people answer through ``people.hooks.resident_badges`` (「対応制限中」,
「繰り返し要確認」 …), asked once for every resident of the list being drawn."""

from django import template
from django.utils.html import format_html_join

from people.hooks import resident_badges as badges_hook

register = template.Library()

_CACHE = "people_resident_badges"


@register.simple_tag(takes_context=True)
def resident_badges(context, resident, residents=None):
    if resident is None or not getattr(resident, "pk", None):
        return ""
    cache = context.render_context.get(_CACHE)
    if cache is None or resident.pk not in cache:
        listed = [r for r in (residents or []) if getattr(r, "pk", None)]
        if resident.pk not in {r.pk for r in listed}:
            listed.append(resident)
        user = getattr(context.get("request"), "user", None)
        cache = {r.pk: [] for r in listed}
        for answer in badges_hook.collect(user=user, residents=listed):
            for pk, badges in answer.items():
                cache.setdefault(pk, []).extend(badges)
        context.render_context[_CACHE] = cache
    badges = cache.get(resident.pk, [])
    if not badges:
        return ""
    return format_html_join(
        " ", '<span class="tag repetition-badge {}">{}</span>', ((css, label) for label, css in badges)
    )
