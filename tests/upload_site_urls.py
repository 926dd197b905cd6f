"""mamoru's URLs plus ``/upload-site/evidence/<contact>/`` (tests/upload_site.py)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from evidence.incoming import HashingUploadHandler, incoming_from_upload
from evidence.services import evidence_add
from mamoru.lib.uploads import register_upload
from mamoru.urls import urlpatterns as mamoru_urlpatterns
from records.models import Contact


@csrf_exempt
@login_required
def upload(request, contact_id):
    contact = Contact.objects.get(pk=contact_id)
    upload = request.FILES.get("file")
    if upload is None:  # the body was cut off before the file's end: nothing was kept
        return JsonResponse({"detail": "ファイルが最後まで届きませんでした。もう一度送ってください。"}, status=400)
    added = evidence_add(actor=request.user, incoming=incoming_from_upload(upload), contact=contact)
    stored = added.evidence.stored_file
    return JsonResponse({"evidence": added.evidence.pk, "sha256": stored.sha256, "size": stored.size})


# As the evidence pages do (evidence/apps.py): hashed while it streams in (mamoru.middleware sets the
# handlers before anything reads the body), up to the evidence limit rather than the 5 MB of other forms.
register_upload(
    "upload_site_evidence",
    max_bytes=lambda: settings.MAMORU_EVIDENCE_MAX_BYTES + 1024 * 1024,
    handlers=lambda request: [HashingUploadHandler(request)],
)

urlpatterns = [
    path("upload-site/evidence/<int:contact_id>/", upload, name="upload_site_evidence"),
    *mamoru_urlpatterns,
]
