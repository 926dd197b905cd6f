from django import template

register = template.Library()


@register.filter
def evidence_size(value) -> str:
    """A file's size as staff read it: 812 バイト, 3.4 KB, 12.5 MB, 1.2 GB."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        return f"{size} バイト"
    for unit in ("KB", "MB", "GB", "TB"):
        size /= 1024
        if size < 1024 or unit == "TB":
            return f"{size:.1f} {unit}"
    return ""
