"""The loudness of a recording drawn on the server as SVG (no JavaScript library, no CDN):
the level of each second, the recording's own median, the raised-voice threshold and the
raised segments shaded. Pure: levels in, markup out."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 22, 8, 26
TOP_DB, BOTTOM_DB = 0.0, -80.0
TICK_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


def clock(seconds: float) -> str:
    """``1:02:03`` or ``2:03``."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, second = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{second:02d}" if hours else f"{minutes}:{second:02d}"


def _x(second: float, duration: float) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * (second / duration if duration else 0)


def _y(level: float) -> float:
    level = max(BOTTOM_DB, min(TOP_DB, level))
    return TOP + (HEIGHT - TOP - BOTTOM) * (TOP_DB - level) / (TOP_DB - BOTTOM_DB)


def loudness_svg(
    *, levels: list[float], duration: float, median: float | None, raised_db: float, segments: list[dict]
) -> SafeString:
    duration = max(duration, len(levels), 1)
    plot_width = WIDTH - LEFT - RIGHT
    # At most one point per pixel column, each the loudest second it covers (a short shout stays visible).
    per_column = max(1, -(-len(levels) // plot_width))
    points = []
    for start in range(0, len(levels), per_column):
        level = max(levels[start : start + per_column])
        points.append(f"{_x(start + per_column / 2, duration):.1f},{_y(level):.1f}")
    parts = [
        f'<svg class="loudness-plot" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="loudness-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="loudness-title">{escape(_summary(duration, median, segments))}</title>',
        f'<rect class="plot-area" x="{LEFT}" y="{TOP}" width="{plot_width}" height="{HEIGHT - TOP - BOTTOM}"/>',
    ]
    for segment in segments:
        x0, x1 = _x(segment["start"], duration), _x(segment["end"], duration)
        parts.append(
            f'<rect class="raised" x="{x0:.1f}" y="{TOP}" width="{max(1.5, x1 - x0):.1f}" '
            f'height="{HEIGHT - TOP - BOTTOM}"><title>{escape(_segment_label(segment))}</title></rect>'
        )
    for db in (0, -20, -40, -60, -80):
        y = _y(db)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{db}</text>')
    step = next((s for s in TICK_STEPS if duration / s <= 8), TICK_STEPS[-1])
    for second in range(0, int(duration) + 1, step):
        x = _x(second, duration)
        parts.append(
            f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM + 4}"/>'
        )
        parts.append(f'<text class="axis" x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle">{clock(second)}</text>')
    if points:
        parts.append(f'<polyline class="level" points="{" ".join(points)}"/>')
    if median is not None:
        y = _y(median)
        parts.append(f'<line class="median" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        y = _y(median + raised_db)
        parts.append(f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
    parts.append(f'<text class="axis unit" x="2" y="{TOP + 10}">dBFS</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only


def _segment_label(segment: dict) -> str:
    return (
        f"{clock(segment['start'])}〜{clock(segment['end'])}（{segment['end'] - segment['start']}秒、"
        f"中央値より {segment.get('above_median_db', 0):.0f} dB 大きい）"
    )


def _summary(duration: float, median: float | None, segments: list[dict]) -> str:
    text = f"音量の推移（長さ {clock(duration)}"
    if median is not None:
        text += f"、中央値 {median:.0f} dBFS"
    return text + f"、声が大きくなった区間 {len(segments)} か所）"
