from django.urls import path

from . import views

app_name = "online"

urlpatterns = [
    path("", views.post_list, name="post_list"),
    path("report/", views.post_report, name="post_report"),
    path("<int:pk>/", views.post_detail, name="post_detail"),
    path("<int:pk>/steps/", views.post_step_add, name="post_step_add"),
    path("<int:pk>/urls/", views.post_url_add, name="post_url_add"),
    path("<int:pk>/letters/", views.post_letter_add, name="post_letter_add"),
    path("<int:pk>/letters/<int:letter_pk>.pdf", views.post_letter_pdf, name="post_letter_pdf"),
]
