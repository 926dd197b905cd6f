from django import template

from notifications.selectors import notification_unread_count

register = template.Library()

BADGE_LIMIT = 99


@register.simple_tag
def unread_notification_count(user) -> str:
    """The header's unread count: one indexed COUNT per page that stops after
    99 (「99+」), so a long unread list costs a page nothing more."""
    count = notification_unread_count(user=user, up_to=BADGE_LIMIT + 1)
    return f"{BADGE_LIMIT}+" if count > BADGE_LIMIT else (str(count) if count else "")
