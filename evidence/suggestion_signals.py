"""What the analysis of a contact's recordings offers to its suggestion panel
(``assessment.hooks.suggestion_signals``, connected in ``EvidenceConfig.ready()``):
a recording longer than the pack's response limit (long_detention) and the segments
where the voice is raised (verbal_abuse), with the times as the reason. Suggestions,
never labels. Only recordings the user may see count."""

from __future__ import annotations

from mamoru.policy.loader import current as current_policy

from . import selectors
from .plot import clock

MAX_SEGMENTS_SHOWN = 5


def recording_signals(*, user, contact):
    from assessment.hooks import Signal

    pairs = selectors.recording_analyses_of_contact(user=user, contact=contact)
    if not pairs:
        return None
    limit_minutes = current_policy().response_time.limit_minutes
    signals = []
    for evidence, analysis in pairs:
        name = evidence.original_name
        duration = analysis.duration_seconds or 0
        if limit_minutes and duration >= limit_minutes * 60:
            signals.append(
                Signal(
                    code="long_detention",
                    score=0.9,
                    source="recording",
                    evidence=[
                        f"録音「{name}」の長さ {clock(duration)}（基本方針の目安 {limit_minutes}分）",
                    ],
                )
            )
        segments = [s for s in analysis.segments or [] if isinstance(s, dict) and "start" in s and "end" in s]
        if segments:
            shown = [
                f"録音「{name}」{clock(s['start'])}〜{clock(s['end'])} 声が大きい"
                f"（中央値より {float(s.get('above_median_db', 0)):.0f} dB）"
                for s in segments[:MAX_SEGMENTS_SHOWN]
            ]
            if len(segments) > MAX_SEGMENTS_SHOWN:
                shown.append(f"録音「{name}」ほか {len(segments) - MAX_SEGMENTS_SHOWN} か所")
            signals.append(
                Signal(
                    code="verbal_abuse",
                    score=min(0.8, 0.4 + 0.1 * len(segments)),
                    source="recording",
                    evidence=shown,
                )
            )
    return signals or None
