from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("backup_calls/_alerts.html", takes_context=True)
def realtime_alerts(context):
    """The empty container where static/js/realtime.js shows alerts on every
    page; it carries the WebSocket path and the translated labels."""
    request = context.get("request")
    user = getattr(request, "user", None)
    enabled = bool(settings.MAMORU_REALTIME and user is not None and user.is_authenticated and user.handles_records)
    return {"enabled": enabled, "user": user}
