"""cases' receivers of the hooks of records, connected in ``CasesConfig.ready()``."""

from records.choices import HarassmentJudgement

from . import services


def on_contact_saved(*, actor, contact, **kwargs) -> None:
    """``records.hooks.contact_saved``: a contact judged harassment opens an
    incident case (or joins the resident's open one), in the same transaction.
    Idempotent per contact; a deleted contact opens none."""
    if contact.harassment == HarassmentJudgement.YES and contact.deleted_at is None:
        services.case_open_or_join(actor=actor, contact=contact, reason="harassment")
