"""The app's URLs plus ``/bench/bare/``: a view that does nothing, measured
through the same middleware as the real pages. Never part of the app."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("mamoru.urls")),
]

handler403 = "mamoru.views.permission_denied"
handler404 = "mamoru.views.page_not_found"
