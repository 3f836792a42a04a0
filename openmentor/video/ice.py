"""ICE servers for browsers, with TURN credentials in coturn's `use-auth-secret` form.

coturn's REST-API scheme (draft-uberti-behave-turn-rest): the username is
"<expiry unix time>:<anything>", the password is base64(HMAC-SHA1(secret, username)).
coturn recomputes the password from its `static-auth-secret` and refuses the username
once the expiry has passed, so a leaked credential stops working by itself and the
server never has to store per-person passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from django.conf import settings


def turn_credentials(*, user_id: int, secret: str, ttl_seconds: int, now: float) -> tuple[str, str]:
    """The (username, password) pair coturn accepts until `now + ttl_seconds`."""
    username = f"{int(now) + ttl_seconds}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers_for(*, user_id: int, now: float | None = None) -> list[dict[str, Any]]:
    """The RTCPeerConnection `iceServers` list for this person, from settings.

    STUN URLs need no credential; TURN(S) URLs get time-limited ones when a secret is
    configured (without a secret they are left out: a TURN server without auth would be
    an open relay, so we never hand one out).
    """
    now = time.time() if now is None else now
    stun = [u for u in settings.VIDEO_ICE_URLS if u.startswith("stun:")]
    turn = [u for u in settings.VIDEO_ICE_URLS if u.startswith(("turn:", "turns:"))]
    servers: list[dict[str, Any]] = []
    if stun:
        servers.append({"urls": stun})
    if turn and settings.VIDEO_TURN_SECRET:
        username, credential = turn_credentials(
            user_id=user_id,
            secret=settings.VIDEO_TURN_SECRET,
            ttl_seconds=settings.VIDEO_TURN_TTL_SECONDS,
            now=now,
        )
        servers.append({"urls": turn, "username": username, "credential": credential})
    return servers
