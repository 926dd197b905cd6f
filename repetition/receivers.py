"""repetition's receivers of the hooks of records and people, connected in
``RepetitionConfig.ready()``: a contact saved asks for a recount, a merge makes
way for the proposals of both residents and counts them again."""

import logging

from people.models import Resident

from . import services

logger = logging.getLogger(__name__)

# What the rules count: an edit of only the texts leaves them as they were. ``deleted``: a deletion.
COUNTED_FIELDS = {"department", "channel", "resident", "started_at", "ended_at", "deleted"}


def on_contact_saved(*, contact, created, changed, previous_resident_id=None, **kwargs) -> None:
    """``records.hooks.contact_saved``: ask for the resident's rules to be
    counted again (one upsert; the background recount counts), and for the
    resident the contact left. A live contact just started is counted now, in
    the POST that starts it: staff face the resident, and the intake banner on
    the page drawn next must show a contact saved a moment ago."""
    if created or COUNTED_FIELDS & set(changed):
        services.repetition_evaluate_later(resident_id=contact.resident_id)
    if previous_resident_id and previous_resident_id != contact.resident_id:
        services.repetition_evaluate_later(resident_id=previous_resident_id)
    if created and contact.ended_at is None and contact.resident_id:
        services.repetition_recount_pending(resident_id=contact.resident_id)


def on_resident_merging(*, source, target, **kwargs) -> dict | None:
    """``people.hooks.resident_merging``: open proposals for one rule on both
    records would collide; the source's is withdrawn (audited)."""
    withdrawn = services.repetition_flags_before_merge(source=source, target=target)
    return {"repetition_flags_withdrawn": withdrawn} if withdrawn else None


def on_resident_merged(*, resident_ids, **kwargs) -> None:
    """``people.hooks.resident_merged`` (after commit): count the residents'
    rules again. A failed count is logged and never undoes the merge."""
    residents = {resident.pk: resident for resident in Resident.objects.filter(pk__in=resident_ids).only("pk")}
    for resident_id in resident_ids:
        if resident_id not in residents:
            continue
        try:
            services.repetition_evaluate(resident=residents[resident_id])
        except Exception:
            logger.exception("repetition count after a merge failed for resident %s", resident_id)
