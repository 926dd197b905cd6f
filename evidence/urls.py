from django.urls import path

from . import export_views

app_name = "evidence"

urlpatterns = [
    # export stream (issue 14): the case's evidence for the police or a lawyer
    path("case/<int:pk>/export/", export_views.case_export, name="case_export"),
    path("case/<int:pk>/list.pdf", export_views.case_evidence_list, name="case_evidence_list"),
    path("case/<int:pk>/handover/", export_views.case_handover, name="case_handover"),
]
