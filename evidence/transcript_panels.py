"""The transcript (反訳書) on the evidence page (``evidence.evidence_detail`` slot ``main``),
registered in ``EvidenceConfig.ready()``. Reads only."""

from mamoru.lib.panels import register_panel

from . import permissions, transcript_services
from .transcript_formats import format_time
from .transcript_selectors import revision_segments, transcript_of, transcript_revision


def transcript_panel(*, request, obj):
    """The recording's transcript with its links; nothing for a file that is not a recording."""
    user = request.user
    if obj is None or not transcript_services.is_recording(obj) or not permissions.may_view_transcript(user, obj):
        return None
    transcript = transcript_of(user=user, evidence=obj)
    revision = transcript_revision(user=user, transcript=transcript) if transcript else None
    rows = [
        {"start": format_time(s.start), "end": format_time(s.end), "speaker": s.speaker, "text": s.text}
        for s in revision_segments(revision)
    ]
    return {
        "evidence": obj,
        "transcript": transcript,
        "revision": revision,
        "transcript_rows": rows,
        "can_edit_transcript": permissions.may_edit_transcript(user, obj),
        "speech_to_text": transcript_services.speech_to_text_configured(),
    }


def register() -> None:
    register_panel(
        page="evidence.evidence_detail",
        slot="main",
        name="evidence.transcript",
        template="evidence/_transcript_panel.html",
        context=transcript_panel,
        order=50,
    )
