"""The contacts' search finds a contact by the words of its recordings' transcripts
(``records.hooks.contact_search_extra``, connected in ``EvidenceConfig.ready()``)."""

from .transcript_selectors import contacts_whose_transcript_contains


def contact_search_transcripts(*, user=None, term: str = "", **kwargs):
    return contacts_whose_transcript_contains(user=user, term=term)
