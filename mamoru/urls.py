from django.contrib import admin
from django.urls import include, path

from .api import api
from .views import healthz

admin.site.site_header = "mamoru システム管理"
admin.site.site_title = "mamoru"
admin.site.index_title = "利用者・所属の管理"


urlpatterns = [
    path("", include("records.urls")),
    path("residents/", include("people.urls")),
    path("audit/", include("audit.urls")),
    path("backup-calls/", include("backup_calls.urls")),
    path("cases/", include("cases.urls")),
    path("repetition/", include("repetition.urls")),
    path("assessment/", include("assessment.urls")),
    path("notifications/", include("notifications.urls")),
    path("measures/", include("measures.urls")),
    path("accounts/", include("accounts.urls")),
    path("policy/", include("mamoru.policy.urls")),
    path("letters/", include("letters.urls")),
    path("disclosure/", include("disclosure.urls")),
    path("business-requests/", include("business_requests.urls")),
    path("online/", include("online.urls")),
    path("stats/", include("stats.urls")),
    path("evidence/hold/", include("evidence.hold_urls")),
    path("evidence/", include("evidence.transcript_urls")),
    path("evidence/timestamps/", include("evidence.timestamp_urls")),
    path("evidence/", include("evidence.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", healthz),
]

handler403 = "mamoru.views.permission_denied"
handler404 = "mamoru.views.page_not_found"
handler400 = "mamoru.views.bad_request"
handler500 = "mamoru.views.server_error"
