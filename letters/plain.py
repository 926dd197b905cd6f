"""Letters whose text the calling app writes (no measure, no editable template): e.g. the
送信防止措置依頼書 and 削除依頼 about an online post (issue 15 A). Same A4 layout
(``mamoru.lib.pdf``), same 和暦 date, same numbering of the fiscal year where the city
sends the letter, stored once as an ``IssuedLetter`` and never regenerated.

A letter a member of staff sends in their own name carries no city document number
(``numbered=False``): it is still stored and counted, under its own sequence."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from mamoru.lib import pdf
from mamoru.lib.wareki import fiscal_year, format_wareki
from mamoru.policy.loader import current

from . import permissions
from .models import IssuedLetter
from .services import _next_serial, document_number

UNNUMBERED_PREFIX = "本人名義"


def letter_issue_plain(
    *,
    actor,
    code: str,
    title: str,
    addressee_name: str,
    body: list[str],
    issuer: str = "",
    addressee_address: str = "",
    addressee_suffix: str = "御中",
    numbered: bool = True,
    issued_on: dt.date | None = None,
    context: dict | None = None,
) -> IssuedLetter:
    """Render and store one letter. ``issuer`` empty: the pack's ``documents.issuer`` (the
    city); ``numbered``: a document number of the city's fiscal-year sequence."""
    permissions.require_issuer(actor)
    if not (addressee_name or "").strip():
        raise ValidationError({"addressee_name": _("宛先を入力してください。")})
    if not [line for line in body if line.strip()]:
        raise ValidationError(_("本文がありません。"))
    pack = current()
    issued_on = issued_on or timezone.localdate()
    year = fiscal_year(issued_on)
    issuer = (issuer or "").strip() or pack.documents.issuer
    with transaction.atomic():
        prefix = pack.documents.number_prefix if numbered else UNNUMBERED_PREFIX
        serial = _next_serial(prefix, year)
        number = document_number(prefix, serial) if numbered else ""
        letter = pdf.Letter(
            document_number=number,
            date=format_wareki(issued_on),
            addressee_name=addressee_name.strip(),
            addressee_address=(addressee_address or "").strip(),
            addressee_suffix=addressee_suffix,
            title=title,
            issuer=issuer,
            seal_label=pack.documents.seal_label,
            body=body,
            author=pack.city.name,
        )
        content = pdf.render_letter(letter, font_dirs=settings.MAMORU_LETTER_FONT_DIRS)
        issued = IssuedLetter.objects.create(
            measure_code=code[:50],
            title=title[:100],
            number_prefix=prefix,
            fiscal_year=year,
            serial=serial,
            document_number=number,
            issued_on=issued_on,
            addressee=addressee_name.strip()[:200],
            pdf=content,
            sha256=hashlib.sha256(content).hexdigest(),
            context={"input": context or {}, "issuer": issuer, "body": body, "pack": pack.code},
            template_body="\n".join(body),
            template_version=0,
            issued_by=actor,
        )
        audit_record(
            actor=actor,
            action="letters.letter.issued",
            obj=issued,
            after={
                "document_number": number,
                "title": issued.title,
                "measure_code": issued.measure_code,
                "addressee": issued.addressee,
                "issued_on": issued_on.isoformat(),
                "sha256": issued.sha256,
                "issuer": issuer,
            },
        )
    return issued
