"""A signalling socket can sit idle longer than Redis's read timeout: waiting for the next
message must not kill its consumer (which drops the call for that person)."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(
        "RedisChannelLayer" not in settings.CHANNEL_LAYERS["default"]["BACKEND"],
        reason="the embedded set-up's in-memory channel layer has no Redis to time out",
    ),
]


async def test_an_idle_socket_keeps_waiting_past_the_redis_read_timeout() -> None:
    layer = get_channel_layer()
    assert layer is not None
    channel = await layer.new_channel()

    async def send_later() -> None:
        # Past channels_redis's 5 s blocking pop, more than once.
        await asyncio.sleep(11)
        await layer.send(channel, {"type": "call.ping", "n": 1})

    sender = asyncio.create_task(send_later())
    try:
        message = await asyncio.wait_for(layer.receive(channel), timeout=30)
    finally:
        await sender
    assert message == {"type": "call.ping", "n": 1}
