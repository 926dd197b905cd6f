"""The recording's analysis on the evidence page (``evidence.evidence_detail`` slot
``main``): the loudness plot, the raised-voice segments that make the page's player
jump, or where the analysis stands. Reads only."""

from __future__ import annotations

from mamoru.lib.panels import register_panel

from . import audio, plot, selectors
from .choices import AnalysisStatus


def recording_analysis_panel(*, request, obj):
    analysis = selectors.recording_analysis_for(user=request.user, evidence=obj)
    if analysis is None:
        return None
    context = {"analysis": analysis, "evidence": obj, "statuses": AnalysisStatus}
    if analysis.status == AnalysisStatus.DONE:
        levels = audio.unpack_levels(analysis.levels)
        raised_db = float((analysis.thresholds or {}).get("raised_db", 10))
        segments = [segment for segment in analysis.segments or [] if _valid(segment)]
        context.update(
            duration=plot.clock(analysis.duration_seconds or 0),
            median=analysis.median_dbfs,
            raised_db=raised_db,
            raised_seconds=(analysis.thresholds or {}).get("raised_seconds", 3),
            svg=plot.loudness_svg(
                levels=levels,
                duration=analysis.duration_seconds or 0,
                median=analysis.median_dbfs,
                raised_db=raised_db,
                segments=segments,
            ),
            segments=[
                {
                    "start": segment["start"],
                    "end": segment["end"],
                    "from": plot.clock(segment["start"]),
                    "to": plot.clock(segment["end"]),
                    "seconds": segment["end"] - segment["start"],
                    "above": round(float(segment.get("above_median_db", 0))),
                }
                for segment in segments
            ],
        )
    elif analysis.status == AnalysisStatus.RUNNING:
        context["progress"] = plot.clock(analysis.progress_seconds)
    return context


def _valid(segment) -> bool:
    """A stored segment the page can draw (no stored value may break the page)."""
    return (
        isinstance(segment, dict)
        and isinstance(segment.get("start"), int | float)
        and isinstance(segment.get("end"), int | float)
        and 0 <= segment["start"] < segment["end"]
    )


def register() -> None:
    register_panel(
        page="evidence.evidence_detail",
        slot="main",
        name="evidence.recording_analysis",
        template="evidence/_recording_analysis.html",
        context=recording_analysis_panel,
        order=20,
    )
