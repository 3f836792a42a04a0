"""The websocket of a mentorship's conversation.

URL: ``ws(s)://<host>/ws/mentorships/<mentorship_id>/messages/[?after=<message id>]``.
The session cookie authenticates (AuthMiddlewareStack in config/asgi.py). Anonymous
visitors are closed with code 4401; anyone who is not one of the mentorship's two
members, or no longer belongs to its organisation, with 4403 (an unknown mentorship
answers the same, so ids cannot be probed). Managers are refused too: messages are
private to the pair.

Frames are JSON text.

Client → server:
- ``{"type": "message.send", "body": "..."}``: send a message; the body is trimmed and
  must then hold 1 to 5,000 characters.
- ``{"type": "read"}``: "I have read the conversation up to now" (moves the unread count).

Server → client:
- ``{"type": "message", "id": 12, "author": <user id>, "author_name": "...",
  "body": "...", "created_at": "<ISO 8601, UTC>",
  "attachment": {"name", "size", "content_type", "url"} | null}``: a message stored in
  the conversation, from either member. The sender gets their own too: that echo is the
  confirmation that it was stored.
- ``{"type": "error", "error": "<what was wrong, in words>"}``: the frame before it was
  refused (not JSON, not an object, unknown or missing type, missing or empty body, body
  over 5,000 characters, a NUL or broken character in the body, mentorship ended, frames
  sent too fast) and nothing was stored. A bad frame never drops the socket.

Rate limits: each connection takes bursts of 10 frames, then 2 a second; each person
sends at most 30 messages in 10 seconds over all their connections. A frame over a limit
gets an error event and is dropped.

Access is checked on connect and on every send. Deliveries do not query: a change of
membership or of the mentorship sends ``conversation.access_changed`` to the group
(signals in messaging/live.py), and each socket then checks again; as a safety net a
socket also checks again before a delivery once ACCESS_RECHECK_SECONDS have passed.

With ``?after=<id>``, the messages after that id (at most 200) are sent on connect, so a
page that lost its connection catches up.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError

from openmentor.accounts.models import User
from openmentor.core.consumers import WebsocketConsumer
from openmentor.core.ratelimit import TokenBucket, window_allow
from openmentor.mentorships.models import Mentorship
from openmentor.messaging import selectors, services
from openmentor.messaging.live import conversation_group, message_payload

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# Generous for a 5,000-character body even with every character escaped.
MAX_FRAME_CHARS = 64_000
CONNECTION_BURST = 10
CONNECTION_PER_SECOND = 2.0
PERSON_MESSAGES = 30
PERSON_WINDOW_SECONDS = 10
ACCESS_RECHECK_SECONDS = 60.0
TOO_FAST = "You are sending messages too fast. Wait a few seconds; this one was not sent."

logger = logging.getLogger(__name__)


class NotAMember(Exception):
    """The person lost access while connected (the mentorship or the membership is gone)."""


def _catch_up(mentorship: Mentorship, after_id: int, slug: str) -> list[dict[str, Any]]:
    return [
        message_payload(message, organisation_slug=slug)
        for message in selectors.messages_after(mentorship=mentorship, after_id=after_id)
    ]


def _fresh(user: User, mentorship_id: int) -> Mentorship:
    # Read again for every frame: the mentorship may have ended, or the person left the
    # organisation, since the socket opened.
    mentorship = selectors.conversation_for_user(user=user, mentorship_id=mentorship_id)
    if mentorship is None:
        raise NotAMember
    return mentorship


def _send(user: User, mentorship_id: int, body: str) -> None:
    services.message_send(mentorship=_fresh(user, mentorship_id), author=user, body=body)


def _read(user: User, mentorship_id: int) -> None:
    services.conversation_mark_read(mentorship=_fresh(user, mentorship_id), user=user)


class ConversationConsumer(WebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        self.mentorship_id = int(self.scope["url_route"]["kwargs"]["mentorship_id"])
        user = self.scope.get("user")
        # Accept first, then close with a code: a refusal before accepting reaches the
        # browser as a bare failed handshake, and the page could not tell why.
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        mentorship = await database_sync_to_async(selectors.conversation_for_user)(
            user=user, mentorship_id=self.mentorship_id
        )
        if mentorship is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user: User = user
        self.bucket = TokenBucket(capacity=CONNECTION_BURST, per_second=CONNECTION_PER_SECOND)
        self.access_checked_at = time.monotonic()
        self.group = conversation_group(mentorship.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        after = self._after_id()
        if after is not None:
            slug = mentorship.programme.organisation.slug
            for payload in await database_sync_to_async(_catch_up)(mentorship, after, slug):
                await self.send(text_data=json.dumps(payload))

    def _after_id(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        raw = (query.get("after") or [""])[0]
        return int(raw) if raw.isdigit() and len(raw) < 19 else None

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.group is None:
            return  # closing: nothing more to do for a refused connection
        if not self.bucket.allow():
            await self._error(TOO_FAST)
            return
        try:
            await self._receive(text_data)
        except NotAMember:
            await self.close(code=CLOSE_FORBIDDEN)
        except Exception:
            # Whatever went wrong, the page hears about it and keeps its socket.
            logger.exception("websocket frame failed", extra={"mentorship": self.mentorship_id})
            await self._error("Something went wrong on our side; nothing was stored. Try again.")

    async def _receive(self, text_data: str | None) -> None:
        if text_data is None:
            await self._error("Send frames as JSON text, not binary.")
            return
        if len(text_data) > MAX_FRAME_CHARS:
            await self._error("That frame is too large. A message can be at most 5,000 characters.")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self._error(
                'That frame is not valid JSON. Send {"type": "message.send", "body": "…"}.'
            )
            return
        if not isinstance(frame, dict):
            await self._error('A frame must be a JSON object with a "type".')
            return
        kind = frame.get("type")
        if kind == "message.send":
            await self._message_send(frame)
        elif kind == "read":
            await database_sync_to_async(_read)(self.user, self.mentorship_id)
        elif kind is None:
            await self._error('The frame has no "type": use "message.send" or "read".')
        else:
            await self._error(
                f'Unknown frame type {str(kind)[:40]!r}: use "message.send" or "read".'
            )

    async def _message_send(self, frame: dict[str, Any]) -> None:
        if "body" not in frame:
            await self._error('A "message.send" frame needs a "body" with the message text.')
            return
        body = frame["body"]
        if not isinstance(body, str):
            await self._error('The "body" must be text.')
            return
        if not await window_allow(
            f"ws-messages:{self.user.pk}", limit=PERSON_MESSAGES, seconds=PERSON_WINDOW_SECONDS
        ):
            await self._error(TOO_FAST)
            return
        try:
            await database_sync_to_async(_send)(self.user, self.mentorship_id, body)
        except ValidationError as error:
            await self._error(" ".join(error.messages))

    async def _error(self, text: str) -> None:
        await self.send(text_data=json.dumps({"type": "error", "error": text}))

    async def conversation_message(self, event: dict[str, Any]) -> None:
        """A message stored in this conversation (sent by services.message_send on commit).

        No query per delivery (that made delivery cost grow with the square of sockets):
        access changes arrive as conversation.access_changed, and an old check is
        renewed here only once ACCESS_RECHECK_SECONDS have passed.
        """
        stale = time.monotonic() - self.access_checked_at > ACCESS_RECHECK_SECONDS
        if stale and not await self._still_member():
            return
        await self.send(text_data=json.dumps(event["message"]))

    async def conversation_access_changed(self, event: dict[str, Any]) -> None:
        """A membership or the mentorship changed: check again now."""
        await self._still_member()

    async def _still_member(self) -> bool:
        mentorship = await database_sync_to_async(selectors.conversation_for_user)(
            user=self.user, mentorship_id=self.mentorship_id
        )
        if mentorship is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return False
        self.access_checked_at = time.monotonic()
        return True
