"""ASGI entry point: pages over HTTP, browser events over WebSocket (/ws/events/).

Served by daphne: `manage.py runserver` (daphne is first in INSTALLED_APPS) or
`daphne mamoru.asgi:application`, one or several processes (see README)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamoru.settings")
django_application = get_asgi_application()  # sets Django up before the imports below

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from mamoru.background import ensure_running  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

router = ProtocolTypeRouter(
    {
        # In development `daphne mamoru.asgi:application` serves /static/ like runserver;
        # in production the proxy serves the collected files (docs/deploy.md).
        "http": ASGIStaticFilesHandler(django_application) if settings.DEBUG else django_application,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)


async def application(scope, receive, send):
    # Every server process runs the background jobs (backup call escalation, repetition recount).
    if scope["type"] in ("http", "websocket"):
        ensure_running()
    return await router(scope, receive, send)
