from django.urls import path

from . import exposure_views, views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("staff/", exposure_views.staff_exposure, name="staff_exposure"),
    path("report/", views.report, name="report"),
]
