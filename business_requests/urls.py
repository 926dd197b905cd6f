from django.urls import path

from . import views

app_name = "business_requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("mine/", views.request_mine, name="mine"),
    path("new/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/assign/", views.request_assign, name="assign"),
    path("<int:pk>/note/", views.request_note, name="note"),
    path("<int:pk>/hearing/", views.request_hearing, name="hearing"),
    path("hearings/<int:pk>/confirm/", views.hearing_confirm, name="hearing_confirm"),
    path("<int:pk>/outcome/", views.request_outcome, name="outcome"),
    path("<int:pk>/measures/", views.request_measures, name="measures"),
    path("<int:pk>/reply/", views.request_reply, name="reply"),
    path("<int:pk>/reply/letter.pdf", views.request_reply_letter, name="reply_letter"),
    path("<int:pk>/close/", views.request_close, name="close"),
]
