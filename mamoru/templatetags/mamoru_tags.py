"""Template helpers: dates in the user's style (和暦 or 西暦), durations, policy names."""

from django import template
from django.utils.translation import gettext as _

from mamoru.lib.dates import safe_localtime
from mamoru.lib.wareki import format_seireki, format_wareki
from mamoru.policy.loader import current as current_policy

register = template.Library()


def _style(context) -> str:
    user = getattr(context.get("request"), "user", None)
    return getattr(user, "date_style", "wareki") or "wareki"


def _local(value):
    return safe_localtime(value)


@register.simple_tag(takes_context=True)
def jdate(context, value, style=""):
    """A date in the user's preferred style: 令和7年12月19日 or 2025年12月19日."""
    if not value:
        return ""
    value = _local(value)
    return format_wareki(value) if (style or _style(context)) == "wareki" else format_seireki(value)


@register.simple_tag(takes_context=True)
def jdatetime(context, value, style=""):
    if not value:
        return ""
    value = _local(value)
    return f"{jdate(context, value, style)} {value:%H:%M}"


def duration_formatter():
    """A function from seconds to 20分34秒 / 1時間5分, with the formats
    translated once (for tables that format many durations)."""
    hours_minutes, minutes_seconds = _("{hours}時間{minutes}分"), _("{minutes}分{seconds}秒")

    def format_duration(seconds):
        if seconds is None or seconds == "":
            return ""
        hours, rest = divmod(int(seconds), 3600)
        minutes, secs = divmod(rest, 60)
        if hours:
            return hours_minutes.format(hours=hours, minutes=minutes)
        return minutes_seconds.format(minutes=minutes, seconds=f"{secs:02d}")

    return format_duration


@register.filter
def duration(seconds):
    """1234 → 20分34秒."""
    return duration_formatter()(seconds)


@register.filter
def channel_name(code):
    return current_policy().channel_name(code)


@register.filter
def category_name(code):
    return current_policy().category_names().get(code, code)


@register.filter
def policy_category(code):
    """The policy pack's category for a code (with its examples), or None."""
    return current_policy().category(code)


@register.filter
def harm_names(codes):
    names = dict(current_policy().harm_choices())
    return "、".join(names.get(code, code) for code in codes or [])
