"""The Redis channel layer, with a cancelled receive that really ends.

channels_redis 4.3 receives for all of a process's sockets through one task at a time,
in a loop of two Redis commands (an EVAL that restores unacknowledged messages, then a
blocking BZPOPMIN) that repeats until a message arrives. redis-py (7.4 to 8.2 measured)
can swallow a cancellation that reaches a command while its connection is being
replaced, typically a cancel that lands a millisecond after the previous receiver was
cancelled: the command returns normally and the loop blocks again, for ever. A socket
whose consumer ends that way never finishes, so uvicorn waits on it at shutdown (the
browser tests' servers did not stop). Here the loop asks its task, after each command,
whether it was cancelled, and raises if so: nothing is lost, because a popped message
stays in the backup queue, which the next receive puts back first.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels_redis.core import RedisChannelLayer

# Puts back, in order, the messages a receive popped but did not hand over (the same
# script channels_redis runs before each blocking pop).
_RESTORE_BACKUP = """
    local backed_up = redis.call('ZRANGE', ARGV[2], 0, -1, 'WITHSCORES')
    for i = #backed_up, 1, -2 do
        redis.call('ZADD', ARGV[1], backed_up[i], backed_up[i - 1])
    end
    redis.call('DEL', ARGV[2])
"""


def _raise_if_cancelled() -> None:
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class CancellableRedisChannelLayer(RedisChannelLayer):  # type: ignore[misc]
    async def _brpop_with_clean(self, index: int, channel: str, timeout: float) -> Any:
        backup_queue = self._backup_channel_name(channel)
        connection = self.connection(index)
        await connection.eval(_RESTORE_BACKUP, 0, channel, backup_queue)
        _raise_if_cancelled()
        result = await connection.bzpopmin(channel, timeout=timeout)
        if result is None:
            _raise_if_cancelled()
            return None
        _, member, timestamp = result
        await connection.zadd(backup_queue, {member: float(timestamp)})
        # Raising now leaves the message in the backup queue: the next receive restores it.
        _raise_if_cancelled()
        return member
