from django.urls import path

from . import views

app_name = "backup_calls"

urlpatterns = [
    path("contacts/<int:contact_pk>/call/", views.call_create, name="create"),
    path("<int:pk>/take/", views.call_take, name="take"),
    path("<int:pk>/resolve/", views.call_resolve, name="resolve"),
]
