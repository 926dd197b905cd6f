from django import template

from notifications.selectors import notification_unread_count

register = template.Library()


@register.simple_tag
def unread_notification_count(user) -> int:
    """The header's unread count (one indexed COUNT per page)."""
    return notification_unread_count(user=user)
