"""What accounts lets the apps built on it do, without importing them.

Apps connect receivers in their ``AppConfig.ready()`` (see ``mamoru.lib.hooks``);
receivers take keyword arguments only, and ``**kwargs`` for those they do not use."""

from mamoru.lib.hooks import Hook

login_throttled = Hook(
    "accounts.login_throttled",
    """A burst of failed sign-ins reached a limit (once per limit and window, in the
    transaction that records the failure that reached it): ``kind`` (``"account"``: the
    failures for one account from browsers it never signed in from; ``"address"``: the
    failures from one source address; ``"device"``: one trusted browser of the account),
    ``account`` (the normalised user name, ``""`` for an address), ``address`` and
    ``count``. E.g. notifications tells the administrators.""",
)
