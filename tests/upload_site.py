"""Settings of the server process the upload tests and benchmarks/evidence_upload.py
start: mamoru's own, with one more route (``tests.upload_site_urls``) that takes a
file the way the evidence pages do — ``HashingUploadHandler`` while the body streams
in, ``incoming_from_upload``, ``evidence_add`` — so the memory and the interrupted
uploads are measured on the real code path of a real server process."""

from mamoru.settings import *  # noqa: F403

ROOT_URLCONF = "tests.upload_site_urls"
