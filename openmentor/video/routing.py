from typing import Any

from django.urls import path

from openmentor.video.consumers import SignallingConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/calls/<int:room_id>/", SignallingConsumer.as_asgi()),
]
