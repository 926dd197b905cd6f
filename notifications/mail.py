"""A notice by e-mail as well, sent once the transaction that made it commits.

The in-app notification is the record; the mail is a courtesy copy, so a mail
server outage is logged and never undoes the change that caused it. The texts
name no resident: mail leaves the city's system."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def mail_on_commit(*, users, text: str, url: str, request_line: str) -> None:
    """Mail ``text`` to those of ``users`` with an address, after commit.
    ``request_line`` says what the reader is asked to do, before the link."""
    addresses = sorted({user.email for user in users if user.email})
    if not addresses:
        return
    subject = _("【mamoru】{text}").format(text=text)[:200]
    body = "{text}\n\n{request}: {url}\n".format(
        text=text, request=request_line, url=settings.MAMORU_SITE_URL.rstrip("/") + url
    )

    def send():
        try:
            send_mail(subject, body, None, addresses)
        except Exception:
            logger.exception("通知のメールを送れませんでした（%s）", url)

    transaction.on_commit(send)
