"""Reading time-stamp tokens (timestamps stream), narrowed to the evidence the user may see."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from . import selectors
from .models import Evidence, TimeStampToken


def timestamp_tokens_for(*, user, evidence: Evidence) -> list[TimeStampToken]:
    """The tokens over ``evidence``'s file, newest first (granted before a pending failure)."""
    selectors.require_view(user, evidence)
    return sorted(
        TimeStampToken.objects.filter(stored_file_id=evidence.stored_file_id),
        key=lambda token: (token.status != "granted", -(token.gen_time or token.requested_at).timestamp()),
    )


def timestamp_token_get(*, user, evidence_pk: int, pk: int) -> tuple[Evidence, TimeStampToken]:
    evidence = selectors.evidence_get(user=user, pk=evidence_pk)
    token = TimeStampToken.objects.filter(pk=pk, stored_file_id=evidence.stored_file_id, status="granted").first()
    if token is None:
        raise Http404(_("タイムスタンプトークンが見つかりません。"))
    return evidence, token
