from django.conf import settings


class SecurityHeadersMiddleware:
    """Headers Django 5.2 does not set by itself: a content security policy
    (no inline scripts, nothing from other origins) and a permissions policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
