from django.urls import path

from . import views

app_name = "repetition"

urlpatterns = [
    path("", views.flag_list, name="flag_list"),
    path("recount/", views.recount, name="recount"),
    path("<int:pk>/", views.flag_detail, name="flag_detail"),
    path("<int:pk>/decide/", views.flag_decide, name="flag_decide"),
]
