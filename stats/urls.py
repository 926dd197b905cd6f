from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("staff/", views.staff_exposure, name="staff_exposure"),
    path("report/", views.report, name="report"),
]
