"""A base for the product's websocket consumers."""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer


class WebsocketConsumer(AsyncWebsocketConsumer):
    """An async websocket consumer that does not visit the database thread per message.

    Channels closes stale database connections before every handler it dispatches: a hop
    to the one thread that runs database work, for every frame a page sends and every
    group event delivered to every socket. With a thousand sockets that queue, not the
    work, set the time a signalling round took (seconds at 500 rooms). Every database
    call of ours goes through `database_sync_to_async`, which closes stale connections
    in that thread itself, before and after the call, so the hop adds nothing.
    """

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
