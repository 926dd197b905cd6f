"""The time-stamp token's download (timestamps stream); the panel that shows it is in
``timestamp_panels``."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from .timestamp_selectors import timestamp_token_get
from .timestamp_services import timestamp_token_download


@require_GET
def token_download(request, evidence_pk: int, pk: int):
    """The TSA's reply as a .tsr file, for ``openssl ts -verify`` (a custody event)."""
    evidence, token = timestamp_token_get(user=request.user, evidence_pk=evidence_pk, pk=pk)
    data = timestamp_token_download(actor=request.user, evidence=evidence, token=token)
    response = HttpResponse(data, content_type="application/timestamp-reply")
    response["Content-Disposition"] = f'attachment; filename="{evidence.stored_file.sha256}.tsr"'
    response["Cache-Control"] = "no-store"
    return response
