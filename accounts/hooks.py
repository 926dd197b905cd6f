"""What accounts lets the apps built on it do, without importing them.

Apps connect receivers in their ``AppConfig.ready()`` (see ``mamoru.lib.hooks``). Every receiver
is called with keyword arguments only, and takes ``**kwargs`` for those it does not use."""

from mamoru.lib.hooks import Hook

account_security_changed = Hook(
    "accounts.account_security_changed",
    """In the service's transaction, after an administrator changed something that decides who can
    act as a user: ``actor`` (the administrator), ``user`` (the account changed), ``change`` (a code:
    ``password_reset``, ``role_changed``, ``service_account_changed``, ``created``, ``token_requested``,
    ``otp_reset``), ``text`` (a Japanese sentence saying what changed). E.g. notifications tells the user
    (in the app and by e-mail) and the other administrators.""",
)

login_throttled = Hook(
    "accounts.login_throttled",
    """A burst of failed sign-ins reached a limit (once per limit and window, in the
    transaction that records the failure that reached it): ``kind`` (``"account"``: the
    failures for one account from browsers it never signed in from; ``"address"``: the
    failures from one source address; ``"device"``: one trusted browser of the account),
    ``account`` (the normalised user name, ``""`` for an address), ``address`` and
    ``count``. E.g. notifications tells the administrators.""",
)
