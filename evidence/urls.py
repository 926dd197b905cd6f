from django.urls import path

from . import export_views, views

app_name = "evidence"

urlpatterns = [
    path("contact/<int:pk>/add/", views.evidence_upload, {"target": "contact"}, name="contact_upload"),
    path("case/<int:pk>/add/", views.evidence_upload, {"target": "case"}, name="case_upload"),
    path("post/<int:pk>/add/", views.evidence_upload, {"target": "post"}, name="post_upload"),
    path("of/<slug:key>/<int:pk>/add/", views.evidence_upload, {"target": "subject"}, name="subject_upload"),
    path("<int:pk>/", views.evidence_detail, name="evidence_detail"),
    path("<int:pk>/open/", views.evidence_open, name="evidence_open"),
    path("<int:pk>/file/", views.evidence_file, name="evidence_file"),
    # export stream (issue 14): the case's evidence for the police or a lawyer
    path("case/<int:pk>/export/", export_views.case_export, name="case_export"),
    path("case/<int:pk>/list.pdf", export_views.case_evidence_list, name="case_evidence_list"),
    path("case/<int:pk>/handover/", export_views.case_handover, name="case_handover"),
]
