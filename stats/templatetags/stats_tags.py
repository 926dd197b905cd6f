from django import template

from stats.charts import bar_chart

register = template.Library()


@register.simple_tag
def stats_chart(table, series=1):
    """The table's bar chart (SVG), or nothing for a table drawn without one."""
    if not table.chart:
        return ""
    if not any(isinstance(row.values[0], int | float) and row.values[0] for row in table.rows):
        return ""  # nothing counted: the table says 0, a chart of empty bars says nothing more
    return bar_chart(table, series=series)


@register.filter
def stats_value(value, kind="int"):
    """A figure as read on the page: 1,234 / 12.5 / －."""
    if value is None:
        return "－"
    if kind in ("hours", "percent", "minutes") or isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"
