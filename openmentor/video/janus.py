"""The small adapter between group rooms and Janus gateways (videoroom plugin).

Web processes hold no state about Janus: every process maps a room to the same gateway
by a stable hash of the room id, so an operator can run several web processes against
one or more Janus servers (docs/video.md: rooms per instance, one instance per host).
The browser talks to Janus directly with janus.js; the server only says which gateway
and which videoroom number to use.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# Videoroom room numbers are unsigned 64-bit in Janus; an offset keeps ours apart from
# the demo rooms (1234 …) the package's sample configuration defines.
ROOM_NUMBER_OFFSET = 1_000_000


@dataclass(frozen=True)
class JanusRoom:
    server: str
    room_number: int


def janus_servers() -> list[str]:
    return list(settings.VIDEO_JANUS_URLS)


def janus_room_for(room_id: int) -> JanusRoom | None:
    """The gateway and videoroom for a group room, or None when no Janus is configured."""
    servers = janus_servers()
    if not servers:
        return None
    digest = hashlib.sha256(str(room_id).encode()).digest()
    server = servers[int.from_bytes(digest[:4], "big") % len(servers)]
    return JanusRoom(server=server, room_number=ROOM_NUMBER_OFFSET + room_id)


def janus_origins() -> list[str]:
    """http(s) and ws(s) origins of the gateways, for the room page's CSP connect-src."""
    origins = []
    for url in janus_servers():
        parts = urlsplit(url)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins
