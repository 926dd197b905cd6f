from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("", views.measure_list, name="measure_list"),
    path("inbox/", views.measure_inbox, name="measure_inbox"),
    path("new/<int:resident_pk>/", views.measure_new, name="measure_new"),
    path("new/<int:resident_pk>/facts/", views.measure_facts_draft, name="measure_facts_draft"),
    path("<int:pk>/", views.measure_detail, name="measure_detail"),
    path("<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("<int:pk>/submit/", views.measure_submit, name="measure_submit"),
    path("<int:pk>/approve/", views.measure_approve, name="measure_approve"),
    path("<int:pk>/send-back/", views.measure_send_back, name="measure_send_back"),
    path("<int:pk>/issue/", views.measure_issue, name="measure_issue"),
    path("<int:pk>/withdraw/", views.measure_withdraw, name="measure_withdraw"),
    path("<int:pk>/appeal/", views.measure_appeal, name="measure_appeal"),
    path("<int:pk>/appeal/<int:appeal_pk>/decide/", views.measure_appeal_decide, name="measure_appeal_decide"),
    path("<int:pk>/letter.pdf", views.measure_letter, name="measure_letter"),
    path("<int:pk>/letter-sample.pdf", views.measure_letter_preview, name="measure_letter_preview"),
    path("restriction/<int:contact_pk>/", views.contact_restriction_breaches, name="contact_restriction_breaches"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.measure_contact, name="measure_contact"),
]
