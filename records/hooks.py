"""What records (contacts) lets the apps built on it do, without importing them.

Apps connect receivers in their ``AppConfig.ready()`` (see ``mamoru.lib.hooks``).
Every receiver is called with keyword arguments only, and takes ``**kwargs`` for those
it does not use (as Django's signal receivers do), so that a hook can gain an argument."""

from mamoru.lib.hooks import Hook

contact_validating = Hook(
    "records.contact_validating",
    """Before a contact's record is saved (``contact_create``, ``contact_update``: the form, the API,
    an import), after the records' own checks passed: ``actor``, ``data`` (the ``ContactData`` to
    save) and ``contact`` (the stored contact, ``None`` when new). A receiver refuses the save by
    raising ``ValidationError`` keyed by field (e.g. measures: a contact outside an active response
    restriction needs a reason). Starting and ending a live contact are not checked here: there is no
    record to correct yet; the record is checked when it is saved.""",
)

contact_saved = Hook(
    "records.contact_saved",
    """In the saving service's transaction, after the contact, its relations, its revision and its
    audit entry are written (``contact_start``, ``contact_create``, ``contact_update``, ``contact_end``,
    and ``contact_delete``, which only hides the row): ``actor``, ``contact``, ``created`` (bool),
    ``changed`` (the set of snapshot keys that changed; every key when created; ``{"deleted"}`` for a
    deletion) and ``previous_resident_id`` (the resident the contact belonged to before this save;
    ``None`` when created). E.g. repetition asks for a recount when a counted field changed; cases
    opens a case when the contact is judged harassment.""",
)

contact_clock_limits = Hook(
    "records.contact_clock_limits",
    """The live clock's limits for ``contact``: a receiver answers ``(warning_minutes, limit_minutes)``
    or ``None``; the first answer wins (``Hook.first``), else the pack's response time applies
    (e.g. measures: an active response restriction's time limit).""",
)

contact_form_saved = Hook(
    "records.contact_form_saved",
    """When the contact form is posted and valid, before the contact is saved: ``request`` and
    ``created`` (a new contact or a correction). For what an app added to the form through its panel
    (e.g. assessment: the category suggestions adopted or dismissed before the contact existed). A
    receiver with something to save answers a function ``save(*, contact)``, called in the contact's
    transaction right after the contact is written; a receiver with nothing to save answers ``None``,
    and when every receiver does (most saves) the service's own transaction is enough: no savepoint.""",
)

contact_resident_annotations = Hook(
    "records.contact_resident_annotations",
    """What the contact form loads with the resident it picks, so that the checks on save
    (``contact_validating``) need no query of their own: a receiver answers a dict of annotations
    for a ``Resident`` queryset, ``{name: expression}``, the same objects from call to call while
    nothing changed (e.g. measures: ``has_issued_restriction``).""",
)

contact_search_extra = Hook(
    "records.contact_search_extra",
    """What else a word typed in the contacts' search box may match: ``user`` (the one searching;
    ``None`` when unknown, then answer ``None``) and ``term`` (one word, already normalised as
    ``search_text`` is). A receiver answers a ``Q`` on ``Contact`` — keep it one indexed lookup or
    an id subquery, the list runs it for every word — or ``None`` (e.g. evidence: the contacts
    whose recording's transcript, which ``user`` may read, holds the word).""",
)
