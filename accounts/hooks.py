"""Hooks accounts offers the apps above it (``mamoru.lib.hooks``).

``user_security_notice``: something happened to a user's sign-in that the user
must hear of from the app itself (an administrator reset their two-factor
devices). Receivers take ``user`` (the user concerned), ``text`` (the Japanese
sentence to show) and ``url`` (where to act); they run in the caller's
transaction. notifications connects one that puts the sentence in the user's
お知らせ and mails it to them."""

from mamoru.lib.hooks import Hook

user_security_notice = Hook("accounts.user_security_notice", __doc__)
