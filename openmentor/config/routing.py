"""Websocket routes; each app that speaks websockets adds its patterns here."""

from typing import Any

from openmentor.messaging.routing import websocket_urlpatterns as messaging_routes
from openmentor.video.routing import websocket_urlpatterns as video_routes

websocket_urlpatterns: list[Any] = [*messaging_routes, *video_routes]
