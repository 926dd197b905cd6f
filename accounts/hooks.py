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
