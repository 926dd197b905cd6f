from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.resident_list, name="resident_list"),
    path("new/", views.resident_create, name="resident_create"),
    path("pick/", views.resident_pick, name="resident_pick"),
    path("duplicates/", views.resident_duplicates, name="resident_duplicates"),
    path("merges/", views.resident_merge_list, name="resident_merge_list"),
    path("merges/<int:pk>/undo/", views.resident_merge_undo, name="resident_merge_undo"),
    path("<int:pk>/merge/<int:other_pk>/", views.resident_merge, name="resident_merge"),
    path("<int:pk>/", views.resident_detail, name="resident_detail"),
    path("<int:pk>/similar/", views.resident_similar, name="resident_similar"),
    path("<int:pk>/edit/", views.resident_edit, name="resident_edit"),
]
