from django.urls import path

from . import timestamp_views

app_name = "evidence_timestamps"

urlpatterns = [
    path("<int:evidence_pk>/<int:pk>.tsr", timestamp_views.token_download, name="token_download"),
]
