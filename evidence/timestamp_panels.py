"""The integrity panel on the evidence page (``evidence.evidence_detail``, slot ``side``):
the file's SHA-256, its time-stamp tokens (or 「未取得」) and how to check them with
openssl. Reads only (timestamps stream)."""

from mamoru.lib.panels import register_panel

from . import permissions, timestamps
from .choices import TokenStatus
from .timestamp_selectors import timestamp_tokens_for


def integrity_panel(*, request, obj):
    if obj is None or not permissions.may_view(request.user, obj):
        return None  # drawn only for those who may see the evidence (a panel never refuses a page)
    tokens = timestamp_tokens_for(user=request.user, evidence=obj)
    granted = [token for token in tokens if token.status == TokenStatus.GRANTED]
    pending = next((token for token in tokens if token.status == TokenStatus.FAILED), None)
    return {
        "evidence": obj,
        "stored_file": obj.stored_file,
        "granted": granted,
        "pending": pending,
        "tsa_configured": timestamps.configured(),
    }


def register() -> None:
    register_panel(
        page="evidence.evidence_detail",
        slot="side",
        name="evidence.integrity",
        template="evidence/_integrity.html",
        context=integrity_panel,
        order=10,
    )
