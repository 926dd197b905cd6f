"""What records (contacts) lets the apps built on it do, without importing them.

Apps connect receivers in their ``AppConfig.ready()`` (see ``mamoru.lib.hooks``).
Every receiver is called with keyword arguments only."""

from mamoru.lib.hooks import Hook

contact_validating = Hook(
    "records.contact_validating",
    """Before a contact is saved (started, created, updated, ended): ``actor``, ``data`` (the
    ``ContactData`` to save) and ``contact`` (the stored contact, ``None`` when new). A receiver
    refuses the save by raising ``ValidationError`` keyed by field (e.g. measures: a contact outside
    an active response restriction needs a reason).""",
)

contact_saved = Hook(
    "records.contact_saved",
    """In the saving service's transaction, after the contact, its relations and its revision are
    written: ``actor``, ``contact``, ``created`` (bool) and ``changed`` (the set of snapshot keys that
    changed; every key when created). E.g. repetition asks for a recount when a counted field changed;
    cases opens a case when the contact is judged harassment.""",
)

contact_clock_limits = Hook(
    "records.contact_clock_limits",
    """The live clock's limits for ``contact``: a receiver answers ``(warning_minutes, limit_minutes)``
    or ``None``; the first answer wins (``Hook.first``), else the pack's response time applies
    (e.g. measures: an active response restriction's time limit).""",
)

contact_form_saved = Hook(
    "records.contact_form_saved",
    """After the contact form was saved, in the same transaction: ``request``, ``contact`` and
    ``created``. For what an app added to the form through its panel (e.g. assessment: the category
    suggestions that were adopted or dismissed).""",
)
