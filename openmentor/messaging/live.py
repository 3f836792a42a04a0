"""Live delivery: every open conversation page of a mentorship listens on one channel group.

Sending goes through the database first (services.message_send); the broadcast happens
after commit, so a page never shows a message that was not stored.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.urls import reverse

from openmentor.mentorships.members import member_q
from openmentor.mentorships.models import Mentorship, MentorshipMember
from openmentor.messaging.models import Message
from openmentor.organisations.models import Membership

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


def access_changed_broadcast(mentorship_ids: list[int]) -> None:
    """Tells the open sockets of these conversations to check their access again."""
    layer = get_channel_layer()
    if layer is None or not mentorship_ids:
        return
    try:
        for mentorship_id in mentorship_ids:
            async_to_sync(layer.group_send)(
                conversation_group(mentorship_id), {"type": "conversation.access_changed"}
            )
    except Exception:
        # Sockets still check again within ACCESS_RECHECK_SECONDS.
        logger.exception("access change broadcast failed")


def _on_commit_broadcast(mentorship_ids: list[int]) -> None:
    if mentorship_ids:
        transaction.on_commit(lambda: access_changed_broadcast(mentorship_ids))


def membership_changed(sender: type, instance: Membership, **kwargs: Any) -> None:
    """Signal receiver (post_save, post_delete): the person's conversations there."""
    ids = list(
        Mentorship.objects.filter(
            member_q(instance.user_id),
            programme__organisation_id=instance.organisation_id,
        ).values_list("pk", flat=True)
    )
    _on_commit_broadcast(ids)


def mentorship_changed(sender: type, instance: Mentorship, **kwargs: Any) -> None:
    """Signal receiver (post_save, post_delete)."""
    if instance.pk is not None:
        _on_commit_broadcast([instance.pk])


def circle_member_changed(sender: type, instance: MentorshipMember, **kwargs: Any) -> None:
    """Signal receiver (post_save, post_delete): someone joined or left a circle, so its
    open conversation pages check again who may stay."""
    _on_commit_broadcast([instance.mentorship_id])
