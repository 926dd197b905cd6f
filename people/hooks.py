"""What people (residents) lets the apps built on it do, without importing them.

Apps connect receivers in their ``AppConfig.ready()`` (see ``mamoru.lib.hooks``). Every receiver
is called with keyword arguments only, and takes ``**kwargs`` for those it does not use."""

from mamoru.lib.hooks import Hook

resident_badges = Hook(
    "people.resident_badges",
    """Badges for residents shown in a list or the resident picker: ``user`` and ``residents`` (a list).
    A receiver answers ``{resident_id: [(label, css_class), …]}`` for the residents it has something to
    say about, reading all of them in one query (e.g. 「繰り返し要確認」, 「対応制限中」).""",
)

resident_merging = Hook(
    "people.resident_merging",
    """In the merge's transaction, before rows move from ``source`` into ``target``: ``actor``,
    ``source``, ``target``. A receiver may answer a dict of what it did, kept in the merge's audit entry
    (``made_way``; e.g. repetition withdraws the source's open proposals that collide with the target's).""",
)

resident_merged = Hook(
    "people.resident_merged",
    """After a merge or its undo is committed: ``actor``, ``resident_ids`` (the residents whose rows
    moved). E.g. repetition counts both residents again.""",
)

resident_data_held = Hook(
    "people.resident_data_held",
    """Everything an app holds about ``resident``, for a disclosure request (保有個人情報の開示請求):
    ``actor`` (the specialist compiling it) and ``resident``. Called once per app when the request is
    compiled (収集), and the answers are stored with the request as they were, so a receiver reads
    the rows as they are now, city-wide (every department's; a record hidden by deletion is still held, so it is
    answered too, marked as deleted), not the actor's usual scope. A receiver answers a section, a list of sections, or ``None`` when it holds
    nothing; build them with ``mamoru.lib.held`` (``held_section``, ``held_item``, ``held_field``):
    JSON-ready dicts, every value already text as the resident should read it. Keys must be stable
    (``"records.contact:12"``): the reviewer withholds items and fields by key and label, and a
    correction (訂正請求) names the item it is about. Mark fields naming members of staff
    ``kind="staff"`` so the reviewer can withhold staff names in one step.""",
)
