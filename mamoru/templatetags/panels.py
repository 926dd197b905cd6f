"""``{% panels "page" "slot" obj %}``: the panels other apps registered for a place on this page."""

from django import template

from mamoru.lib.panels import render_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, page, slot, obj):
    return render_panels(page=page, slot=slot, request=context.get("request"), obj=obj)
