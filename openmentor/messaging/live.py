"""Live delivery: every open conversation page of a mentorship listens on one channel group.

Sending goes through the database first (services.message_send); the broadcast happens
after commit, so a page never shows a message that was not stored.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.urls import reverse

from openmentor.messaging.models import Message

logger = logging.getLogger(__name__)


def conversation_group(mentorship_id: int) -> str:
    return f"conversation.{mentorship_id}"


def message_payload(message: Message, *, organisation_slug: str) -> dict[str, Any]:
    """A message as the websocket protocol sends it (see consumers.py)."""
    attachment: dict[str, Any] | None = None
    if message.attachment:
        attachment = {
            "name": message.attachment_name,
            "size": message.attachment_size,
            "content_type": message.attachment_content_type,
            "url": reverse(
                "message_attachment",
                args=[organisation_slug, message.mentorship_id, message.pk],
            ),
        }
    return {
        "type": "message",
        "id": message.pk,
        "author": message.author_id,
        "author_name": message.author.name,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
        "attachment": attachment,
    }


def message_broadcast(message: Message, *, organisation_slug: str) -> None:
    """Pushes a stored message to the pages open on its conversation."""
    layer = get_channel_layer()
    if layer is None:
        return
    event = {
        "type": "conversation.message",
        "message": message_payload(message, organisation_slug=organisation_slug),
    }
    try:
        async_to_sync(layer.group_send)(conversation_group(message.mentorship_id), event)
    except Exception:
        # The message is stored either way: the partner sees it on the next page load,
        # and the hourly e-mail still covers it. A broken channel layer must not turn
        # a successful send into an error.
        logger.exception("live delivery failed", extra={"message_id": message.pk})
