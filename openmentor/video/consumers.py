"""The signalling websocket of a call room.

URL: ``ws(s)://<host>/ws/calls/<room id>/``; the session cookie authenticates. Closes:
4401 anonymous; 4403 not a member of the room (managers included; an unknown room
answers the same, so ids cannot be probed); 4409 the room is not open now (an
``error`` frame before the close says until when) or this page was taken over by
another tab of the same person (a ``replaced`` frame before the close).

Frames are JSON text objects with a ``type``, at most 64 KB. Client → server:

- ``join`` {client}: enter the call; ``client`` is the page's own random id (1–40 of
  ``A-Za-z0-9_-``), kept across reconnects so the server can tell a reconnecting page
  (continues) from another tab (takes over).
- ``offer`` {to, sdp, restart?, gen?}, ``answer`` {to, sdp, gen?}, ``ice`` {to,
  candidate, gen?}: WebRTC negotiation with one other member (``to`` is their user id);
  an answer is only taken for an offer that member sent; ``gen`` numbers the
  negotiation so pages can drop late frames of an earlier one.
- ``relay`` {to?, event}: a small in-call event (≤ 4 KB) of a known ``event.kind``
  (``media``, ``audio-only``, ``restart``) to one member or everyone.
- ``chat`` {body}: a chat line, stored with the room and sent to everyone.
- ``heartbeat`` {media}: sent every few seconds; with ``media: true`` the time counts as
  attended.
- ``leave``: leaving on purpose (peers close their connection at once).
- ``ping``: answered with ``pong`` (the lobby's signalling check).

Server → client: ``joined`` {you}, ``peer.joined`` / ``peer.here`` {user, name, client}
(someone entered / was already there), ``peer.left`` {user, reason: left|lost},
``offer`` / ``answer`` / ``ice`` / ``relay`` with ``from``, ``chat`` {id, author,
author_name, body, created_at}, ``replaced``, ``pong``, and ``error`` {error, code}:
the frame before it was refused, logged, and nothing else happened.

Everything between members goes through the channel layer's room group, so two members
connected to different server processes reach each other with the Redis layer.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.consumers import WebsocketConsumer
from openmentor.video import selectors, services
from openmentor.video.selectors import RoomAccess

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_CONFLICT = 4409
MAX_FRAME_BYTES = 64 * 1024
MAX_SDP_CHARS = 60_000
MAX_CANDIDATE_CHARS = 2_000
MAX_EVENT_BYTES = 4 * 1024
RELAY_KINDS = frozenset({"media", "audio-only", "restart"})
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
TYPES = ("join", "offer", "answer", "ice", "relay", "chat", "heartbeat", "leave", "ping")
# Access is checked again on every heartbeat (a few seconds apart) rather than on every
# ICE candidate: a person removed from the organisation is cut off within one beat.
# A join soon after the connection was accepted reuses the access read then; one after a
# longer wait in the lobby reads it again.
JOIN_RECHECK_AFTER_S = 30.0


class Refused(Exception):
    """A frame that is refused; the message is sent back as the error text."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def room_group(room_id: int) -> str:
    return f"video.room.{room_id}"


def _join(access: RoomAccess, user_id: int, client_id: str, recheck: bool) -> int:
    now = timezone.now()
    if recheck:
        # The page waited in the lobby: the person may have left the organisation or the
        # meeting may have been cancelled meanwhile.
        fresh_access = selectors.room_access(user=User(pk=user_id), room_id=access.room.pk)
        if fresh_access is None:
            raise PermissionError
        access = fresh_access
    if not access.is_open(now):
        raise Refused(access.why_closed(now), "closed")
    return services.presence_join(
        room=access.room, user_id=user_id, client_id=client_id, now=now
    ).pk


def _heartbeat(room_id: int, user_id: int, presence_id: int, media: bool) -> bool:
    if selectors.room_access(user=User(pk=user_id), room_id=room_id) is None:
        return False
    services.presence_heartbeat(presence_id=presence_id, media=media, now=timezone.now())
    return True


def _leave(presence_id: int) -> None:
    services.presence_leave(presence_id=presence_id, now=timezone.now())


def _chat(access: RoomAccess, user_id: int, body: str) -> dict[str, Any]:
    message = services.call_message_send(room=access.room, author_id=user_id, body=body)
    return {
        "type": "chat",
        "id": message.pk,
        "author": user_id,
        "author_name": access.names.get(user_id, ""),
        "body": message.body,
        "created_at": message.created_at.isoformat(),
    }


class SignallingConsumer(WebsocketConsumer):
    access: RoomAccess | None = None
    group: str | None = None
    presence_id: int | None = None
    client_id: str = ""
    left_on_purpose = False
    replaced = False

    async def connect(self) -> None:
        self.room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        user = self.scope.get("user")
        # Accept, then close with a code the page can act on (a refused handshake
        # reaches the browser without one).
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        access = await database_sync_to_async(selectors.room_access)(
            user=user, room_id=self.room_id
        )
        if access is None:
            logger.warning(
                "video: refused a stranger", extra={"room": self.room_id, "user": user.pk}
            )
            await self.close(code=CLOSE_FORBIDDEN)
            return
        now = timezone.now()
        if not access.is_open(now):
            await self._error(access.why_closed(now), "closed")
            await self.close(code=CLOSE_CONFLICT)
            return
        self.user_id = int(user.pk)
        self.access = access
        self.access_read_at = time.monotonic()
        # Offers this page received, by sender: an answer must follow one.
        self.offers_from: set[int] = set()
        self.group = room_group(self.room_id)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.group is None:
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await self._end_presence()

    async def _end_presence(self) -> None:
        if self.presence_id is not None:
            await database_sync_to_async(_leave)(self.presence_id)
            self.presence_id = None
            if not self.replaced:
                await self._to_room(
                    {
                        "type": "peer.left",
                        "user": self.user_id,
                        "client": self.client_id,
                        "reason": "left" if self.left_on_purpose else "lost",
                    }
                )

    # --- frames from the page ------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.access is None:
            return  # closing: a refused connection takes no frames
        try:
            frame = self._parse(text_data, bytes_data)
            await self._handle(frame)
        except Refused as refusal:
            logger.warning(
                "video: refused a frame",
                extra={"room": self.room_id, "user": self.user_id, "why": str(refusal)},
            )
            await self._error(str(refusal), refusal.code)
        except PermissionError:
            await self.close(code=CLOSE_FORBIDDEN)

    def _parse(self, text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
        if text_data is None:
            raise Refused("Send frames as JSON text, not binary.")
        if len(text_data.encode()) > MAX_FRAME_BYTES:
            raise Refused("That frame is too large: the limit is 64 KB.", "too_large")
        try:
            frame = json.loads(text_data)
        except ValueError:
            raise Refused("That frame is not valid JSON.") from None
        if not isinstance(frame, dict):
            raise Refused('A frame must be a JSON object with a "type".')
        kind = frame.get("type")
        if kind not in TYPES:
            if kind is None:
                raise Refused('The frame has no "type".')
            raise Refused(f"Unknown frame type {str(kind)[:40]!r}.", "unknown_type")
        return frame

    async def _handle(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "ping":
            await self._send({"type": "pong"})
            return
        if kind == "join":
            await self._join(frame)
            return
        if self.presence_id is None:
            raise Refused(f'Send "join" before "{kind}".', "not_joined")
        if kind in ("offer", "answer"):
            to = self._recipient(frame)
            sdp = frame.get("sdp")
            if not isinstance(sdp, str) or not sdp.startswith("v=0") or len(sdp) > MAX_SDP_CHARS:
                raise Refused(f'The "{kind}" needs an "sdp" session description.')
            if kind == "answer":
                if to not in self.offers_from:
                    raise Refused("There is no offer from that member to answer.", "out_of_order")
                self.offers_from.discard(to)
            out = {"type": kind, "from": self.user_id, "sdp": sdp, "gen": self._generation(frame)}
            if kind == "offer":
                out["restart"] = bool(frame.get("restart"))
            await self._to_room(out, to=to)
        elif kind == "ice":
            to = self._recipient(frame)
            candidate = frame.get("candidate")
            if candidate is not None and not (
                isinstance(candidate, dict)
                and isinstance(candidate.get("candidate", ""), str)
                and len(json.dumps(candidate)) <= MAX_CANDIDATE_CHARS
            ):
                raise Refused('The "candidate" must be an ICE candidate object or null.')
            await self._to_room(
                {
                    "type": "ice",
                    "from": self.user_id,
                    "candidate": candidate,
                    "gen": self._generation(frame),
                },
                to=to,
            )
        elif kind == "relay":
            target = self._recipient(frame) if frame.get("to") is not None else None
            event = frame.get("event")
            if not isinstance(event, dict) or event.get("kind") not in RELAY_KINDS:
                raise Refused(
                    f'A "relay" needs an "event" whose "kind" is one of {sorted(RELAY_KINDS)}.'
                )
            if len(json.dumps(event)) > MAX_EVENT_BYTES:
                raise Refused("That in-call event is too large: the limit is 4 KB.", "too_large")
            await self._to_room({"type": "relay", "from": self.user_id, "event": event}, to=target)
        elif kind == "chat":
            body = frame.get("body")
            if not isinstance(body, str):
                raise Refused('A "chat" needs a "body" with the text.')
            assert self.access is not None
            try:
                message = await database_sync_to_async(_chat)(self.access, self.user_id, body)
            except ValidationError as error:
                raise Refused(" ".join(error.messages)) from None
            await self._to_room(message, include_self=True)
        elif kind == "heartbeat":
            assert self.presence_id is not None
            still_member = await database_sync_to_async(_heartbeat)(
                self.room_id, self.user_id, self.presence_id, frame.get("media") is True
            )
            if not still_member:
                raise PermissionError
        elif kind == "leave":
            self.left_on_purpose = True
            # Told at once, not on disconnect: the close can take a while to arrive.
            await self._end_presence()
            await self.close(code=1000)

    def _generation(self, frame: dict[str, Any]) -> int:
        # Which negotiation a description or candidate belongs to: after a reconnect,
        # late frames of an earlier one must not be applied to the new connection.
        gen = frame.get("gen", 0)
        if not isinstance(gen, int) or isinstance(gen, bool) or not 0 <= gen < 2**31:
            raise Refused('"gen" must be a whole number from 0.')
        return gen

    def _recipient(self, frame: dict[str, Any]) -> int:
        to = frame.get("to")
        assert self.access is not None
        if not isinstance(to, int) or isinstance(to, bool):
            raise Refused('"to" must be the user id of another member of this room.')
        if to == self.user_id or to not in self.access.member_ids:
            raise Refused('"to" must be the user id of another member of this room.', "not_member")
        return to

    async def _join(self, frame: dict[str, Any]) -> None:
        client = frame.get("client")
        if not isinstance(client, str) or not CLIENT_ID.match(client):
            raise Refused('A "join" needs a "client" id of 1 to 40 letters, digits, - or _.')
        if self.presence_id is not None:
            raise Refused("This page has already joined.", "out_of_order")
        assert self.access is not None
        self.client_id = client
        recheck = time.monotonic() - self.access_read_at > JOIN_RECHECK_AFTER_S
        self.presence_id = await database_sync_to_async(_join)(
            self.access, self.user_id, client, recheck
        )
        # Other tabs of the same person end; the other members learn who arrived and
        # answer with `peer.here` so the newcomer knows who is already in the call.
        await self._to_room(
            {
                "type": "peer.joined",
                "user": self.user_id,
                "name": self.access.names.get(self.user_id, ""),
                "client": client,
                "channel": self.channel_name,
            },
            include_self=True,
        )
        await self._send({"type": "joined", "you": self.user_id, "client": client})

    # --- events from the room group --------------------------------------------------

    async def video_frame(self, event: dict[str, Any]) -> None:
        frame: dict[str, Any] = event["frame"]
        if event.get("sender") == self.channel_name and not event.get("include_self"):
            return
        to = event.get("to")
        if to is not None and to != getattr(self, "user_id", None):
            return
        if self.presence_id is None and frame["type"] != "chat":
            return  # not in the call yet (still in the lobby)
        kind = frame["type"]
        if kind == "peer.joined":
            if event.get("sender") == self.channel_name:
                return
            if frame["user"] == self.user_id:
                if frame["client"] != self.client_id:
                    await self._replaced()
                return
            await self.channel_layer.send(
                frame["channel"],
                {
                    "type": "video.frame",
                    "frame": {
                        "type": "peer.here",
                        "user": self.user_id,
                        "name": self.access.names.get(self.user_id, "") if self.access else "",
                        "client": self.client_id,
                    },
                    "to": frame["user"],
                },
            )
            frame = {k: v for k, v in frame.items() if k != "channel"}
        elif kind == "peer.left" and frame["user"] == self.user_id:
            return
        elif kind == "offer":
            self.offers_from.add(frame["from"])
        await self._send(frame)

    async def _replaced(self) -> None:
        self.replaced = True
        await self._send({"type": "replaced"})
        await self.close(code=CLOSE_CONFLICT)

    # --- helpers --------------------------------------------------------------------

    async def _to_room(
        self, frame: dict[str, Any], to: int | None = None, include_self: bool = False
    ) -> None:
        assert self.group is not None
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "video.frame",
                "frame": frame,
                "to": to,
                "sender": self.channel_name,
                "include_self": include_self,
            },
        )

    async def _send(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame))

    async def _error(self, text: str, code: str = "invalid") -> None:
        await self._send({"type": "error", "error": text, "code": code})
