from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("suggestions/", views.suggest, name="suggest"),
    path("contacts/<int:pk>/suggestions/", views.suggest, name="contact_suggest"),
    path("contacts/<int:pk>/suggestions/decide/", views.decide, name="contact_decide"),
]
