from django.urls import path

from . import views

app_name = "disclosure"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("new/", views.request_new, name="request_new"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/collect/", views.request_collect, name="request_collect"),
    path("<int:pk>/review/", views.request_review, name="request_review"),
    path("<int:pk>/withhold/", views.request_withhold, name="request_withhold"),
    path(
        "<int:pk>/withhold/<int:withholding_pk>/remove/",
        views.request_withholding_remove,
        name="request_withholding_remove",
    ),
    path("<int:pk>/staff-names/remove/", views.request_staff_names_remove, name="request_staff_names_remove"),
    path("<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("<int:pk>/extend/", views.request_extend, name="request_extend"),
    path("<int:pk>/deliver/", views.request_deliver, name="request_deliver"),
    path("<int:pk>/preview.pdf", views.request_preview, name="request_preview"),
    path("<int:pk>/export.<str:fmt>", views.request_export, name="request_export"),
    path("corrections/new/", views.correction_new, name="correction_new"),
    path("corrections/<int:pk>/", views.correction_detail, name="correction_detail"),
    path("corrections/<int:pk>/extend/", views.correction_extend, name="correction_extend"),
]
