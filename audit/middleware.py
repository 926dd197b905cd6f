import uuid

from . import context


def client_address(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by clients and cannot be trusted
    # unless a proxy in front rewrites it (configure the proxy to set REMOTE_ADDR).
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    """Gives each request an id and remembers its address for audit entries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        token = context.set_current(context.RequestContext(request.request_id, client_address(request)))
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
