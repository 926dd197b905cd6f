from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("", views.home, name="home"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/start/", views.contact_start, name="contact_start"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/end/", views.contact_end, name="contact_end"),
    path("contacts/<int:pk>/clock/", views.contact_clock, name="contact_clock"),
    path("contacts/<int:pk>/print/", views.contact_print, name="contact_print"),
    path("contacts/<int:pk>/history/", views.contact_history, name="contact_history"),
    path("contacts/<int:pk>/judgement/", views.contact_judgement, name="contact_judgement"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
]
