from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("open/", views.case_open_list, name="case_open_list"),
    path("staff-care/", views.staff_care, name="staff_care"),
    path("report/<int:contact_pk>/", views.case_report, name="case_report"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/print/", views.case_print, name="case_print"),
    path("<int:pk>/state/", views.case_state, name="case_state"),
    path("<int:pk>/step/", views.case_step, name="case_step"),
    path("<int:pk>/handler/", views.case_handler, name="case_handler"),
    path("<int:pk>/follow-ups/", views.follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:pk>/complete/", views.follow_up_complete, name="follow_up_complete"),
]
