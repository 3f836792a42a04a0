"""Websocket routes; each app that speaks websockets adds its patterns here."""

from typing import Any

websocket_urlpatterns: list[Any] = []
