from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("contact/<int:pk>/add/", views.evidence_upload, {"target": "contact"}, name="contact_upload"),
    path("case/<int:pk>/add/", views.evidence_upload, {"target": "case"}, name="case_upload"),
    path("<int:pk>/", views.evidence_detail, name="evidence_detail"),
    path("<int:pk>/open/", views.evidence_open, name="evidence_open"),
    path("<int:pk>/file/", views.evidence_file, name="evidence_file"),
]
