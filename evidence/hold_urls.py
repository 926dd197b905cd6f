"""Legal hold URLs (``/evidence/hold/``; the evidence pages' own URLs are evidence/urls.py)."""

from django.urls import path

from . import hold_views

app_name = "evidence_hold"
urlpatterns = [
    path("<int:pk>/set/", hold_views.hold_set, name="hold_set"),
    path("<int:pk>/release/", hold_views.hold_release, name="hold_release"),
]
