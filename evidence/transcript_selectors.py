"""Reading transcripts (反訳書), narrowed to the recordings the user may see."""

from __future__ import annotations

from django.db.models import Q

from .models import Evidence, Transcript, TranscriptRevision
from .selectors import evidence_visible, require_view
from .transcript_formats import Segment

# Contacts a word found in transcripts brings into the list, at most (the newest recordings first).
TRANSCRIPT_SEARCH_CONTACTS = 2000


def transcript_of(*, user, evidence: Evidence) -> Transcript | None:
    """The recording's transcript, or ``None`` when none was made yet."""
    require_view(user, evidence)
    return Transcript.objects.filter(evidence=evidence).select_related("created_by").first()


def transcript_revisions(*, user, transcript: Transcript):
    require_view(user, transcript.evidence)
    return transcript.revisions.select_related("created_by").order_by("-number")


def transcript_revision(*, user, transcript: Transcript, number: int | None = None) -> TranscriptRevision | None:
    """The current revision, or revision ``number`` (``None`` when there is no such revision)."""
    revisions = transcript_revisions(user=user, transcript=transcript)
    if number is not None:
        revisions = revisions.filter(number=number)
    return revisions.first()


def revision_segments(revision: TranscriptRevision | None) -> list[Segment]:
    """A revision's rows; a stored row that is not a mapping is left out rather than failing a page."""
    if revision is None or not isinstance(revision.segments, list):
        return []
    return [Segment.from_dict(row) for row in revision.segments if isinstance(row, dict)]


def contacts_whose_transcript_contains(*, user, term: str) -> Q | None:
    """For the contacts' search (``records.hooks.contact_search_extra``): contacts with a recording
    ``user`` may see whose current transcript holds ``term`` (already normalised). The ids are read
    first (the trigram index on ``search_text`` on PostgreSQL), at most ``TRANSCRIPT_SEARCH_CONTACTS``,
    the newest recordings first, as the residents' names are (``records.selectors._named``): the
    contacts' query then stays a union of indexed lookups."""
    if user is None or not term:
        return None
    contact_ids = list(
        evidence_visible(user=user)
        .filter(contact__isnull=False, deleted_at__isnull=True, transcript__search_text__contains=term)
        .order_by("-id")
        .values_list("contact_id", flat=True)[:TRANSCRIPT_SEARCH_CONTACTS]
    )
    return Q(pk__in=set(contact_ids)) if contact_ids else None
