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


async def test_cancelled_receives_end_even_when_the_next_receiver_is_cancelled_mid_command() -> (
    None
):
    # One task receives for all of a process's sockets. When it is cancelled (its socket
    # closed), the next one takes over and reconnects; a cancel that lands a moment later,
    # while that command runs, was swallowed by redis-py and left the receive blocking for
    # ever: the consumer never finished and the server could not stop.
    layer = get_channel_layer()
    assert layer is not None
    for attempt in range(30):
        first = asyncio.ensure_future(layer.receive(await layer.new_channel()))
        second = asyncio.ensure_future(layer.receive(await layer.new_channel()))
        await asyncio.sleep(0.1)
        first.cancel()
        await asyncio.sleep((attempt % 10) * 0.0007)
        second.cancel()
        done, pending = await asyncio.wait([first, second], timeout=7)
        assert not pending, f"a cancelled receive was still waiting (attempt {attempt})"
        assert all(task.cancelled() for task in done)

    # The layer still delivers afterwards.
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "call.ping", "n": 2})
    assert await asyncio.wait_for(layer.receive(channel), timeout=10) == {
        "type": "call.ping",
        "n": 2,
    }
