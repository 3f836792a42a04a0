"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmentor.config.settings.base")

# Django must be set up before anything imports models (consumers do).
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402

from openmentor.core.asgi_handler import LaneASGIHandler  # noqa: E402

# Pages run synchronously on a few long-lived threads (core/asgi_handler.py says why).
django_asgi_app = LaneASGIHandler(threads=settings.WEB_REQUEST_THREADS)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from openmentor.config.routing import websocket_urlpatterns  # noqa: E402
from openmentor.core.bodylimit import BodyLimitMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimitMiddleware(django_asgi_app, limit=settings.MAX_REQUEST_BYTES),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
