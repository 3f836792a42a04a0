"""Websocket routes of the messaging app (included by openmentor/config/routing.py)."""

from typing import Any

from django.urls import path

from openmentor.messaging.consumers import ConversationConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/mentorships/<int:mentorship_id>/messages/", ConversationConsumer.as_asgi()),
]
