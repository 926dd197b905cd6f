from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.resident_list, name="resident_list"),
    path("new/", views.resident_create, name="resident_create"),
    path("pick/", views.resident_pick, name="resident_pick"),
    path("<int:pk>/", views.resident_detail, name="resident_detail"),
    path("<int:pk>/edit/", views.resident_edit, name="resident_edit"),
]
