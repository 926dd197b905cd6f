"""The transcript (反訳書) pages of a recording (``evidence/<pk>/transcript/…``)."""

from django.urls import path

from . import transcript_views

app_name = "transcripts"

urlpatterns = [
    path("<int:pk>/transcript/", transcript_views.transcript_edit, name="transcript_edit"),
    path("<int:pk>/transcript/import", transcript_views.transcript_import, name="transcript_import"),
    path("<int:pk>/transcript/draft", transcript_views.transcript_draft, name="transcript_draft"),
    path("<int:pk>/transcript/history", transcript_views.transcript_history, name="transcript_history"),
    path("<int:pk>/transcript.pdf", transcript_views.transcript_pdf, name="transcript_pdf"),
]
