"""What notifications lets the apps built on it do, without importing them
(``mamoru.lib.hooks``; receivers take keyword arguments and ``**kwargs``)."""

from mamoru.lib.hooks import Hook

deadlines_due = Hook(
    "notifications.deadlines_due",
    """The open due dates an app tracks, for ``python -m mamoru deadlines`` (daily, from cron) and
    the lists that show them: ``today`` (a date). A receiver answers a list of
    ``mamoru.lib.deadlines.Deadline`` (or ``None``), e.g. the online posts' deletion answers,
    disclosure orders and complaint limits, and the replies owed to other businesses.""",
)
