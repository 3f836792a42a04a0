"""Writes of chat notifications: channels and opt-ins, and the messages sent to them.

Slack and Teams incoming webhooks take a JSON POST. The URL is checked as any outbound
target (core.outbound: https, public addresses, on the resolved address) and, in
production settings, must be one of the service's own webhook hosts.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from openmentor.chat.models import ChatChannel, ChatKind, ChatMessage, ChatOptIn
from openmentor.core import outbound
from openmentor.organisations.models import MANAGING_ROLES, Membership

HOSTS = {
    ChatKind.SLACK: ("hooks.slack.com",),
    ChatKind.TEAMS: (".webhook.office.com", ".logic.azure.com", ".api.powerplatform.com"),
}
MAX_TEXT = 3000


def chat_url_check(kind: str, url: str) -> str:
    if kind not in ChatKind.values:
        raise ValidationError({"kind": "Choose Slack or Microsoft Teams."})
    try:
        outbound.url_check(url)
    except outbound.TargetRefused as error:
        raise ValidationError({"url": str(error)}) from error
    host = (urlsplit(url.strip()).hostname or "").lower()
    if not settings.OUTBOUND_ALLOW_PRIVATE_TARGETS and not any(
        host == h or (h.startswith(".") and host.endswith(h)) for h in HOSTS[ChatKind(kind)]
    ):
        label = ChatKind(kind).label
        raise ValidationError({"url": f"This is not a {label} incoming webhook address."})
    return url.strip()


@transaction.atomic
def chat_channel_create(
    *, actor: Membership, kind: str, name: str, url: str, at_risk: bool, weekly_summary: bool
) -> ChatChannel:
    """Adds a managers' channel for the actor's organisation."""
    if actor.role not in MANAGING_ROLES:
        raise PermissionDenied("Only owners and managers set up chat channels.")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Name the channel (up to 100 characters)."})
    return ChatChannel.objects.create(
        organisation_id=actor.organisation_id,
        kind=kind,
        name=name,
        url=chat_url_check(kind, url),
        at_risk=at_risk,
        weekly_summary=weekly_summary,
        created_by=actor.user,
    )


@transaction.atomic
def chat_channel_delete(*, channel: ChatChannel, actor: Membership) -> None:
    if actor.role not in MANAGING_ROLES or actor.organisation_id != channel.organisation_id:
        raise PermissionDenied
    channel.delete()


@transaction.atomic
def chat_opt_in_save(
    *, membership: Membership, kind: str, url: str, meeting_reminders: bool, nudges: bool
) -> ChatOptIn:
    """A person's own choice: their reminders and nudges also go to their chat."""
    opt_in, _ = ChatOptIn.objects.update_or_create(
        organisation_id=membership.organisation_id,
        user_id=membership.user_id,
        defaults={
            "kind": kind,
            "url": chat_url_check(kind, url),
            "meeting_reminders": meeting_reminders,
            "nudges": nudges,
        },
    )
    return opt_in


@transaction.atomic
def chat_opt_out(*, membership: Membership) -> None:
    ChatOptIn.objects.filter(
        organisation_id=membership.organisation_id, user_id=membership.user_id
    ).delete()


def body_for(kind: str, text: str, link: str) -> bytes:
    """Slack's {"text"}; Teams' MessageCard (accepted by incoming webhooks and Workflows)."""
    if kind == ChatKind.SLACK:
        payload: dict[str, object] = {
            "text": f"{text}\n<{link}|Open in OpenMentor>" if link else text
        }
    else:
        payload = {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": text[:80],
            "text": text,
            "potentialAction": (
                [
                    {
                        "@type": "OpenUri",
                        "name": "Open in OpenMentor",
                        "targets": [{"os": "default", "uri": link}],
                    }
                ]
                if link
                else []
            ),
        }
    return json.dumps(payload).encode()


def chat_message_queue(
    *,
    organisation_id: int,
    topic: str,
    text: str,
    link: str = "",
    channel: ChatChannel | None = None,
    opt_in: ChatOptIn | None = None,
) -> ChatMessage:
    """Logs a message and sends it from the task queue once the transaction commits."""
    message = ChatMessage.objects.create(
        organisation_id=organisation_id,
        channel=channel,
        opt_in=opt_in,
        topic=topic,
        text=(text + (f"\n{link}" if link else ""))[:MAX_TEXT],
    )
    message_id = message.pk
    transaction.on_commit(lambda: _enqueue(message_id, link))
    return message


def _enqueue(message_id: int, link: str) -> None:
    from openmentor.chat.tasks import chat_deliver

    chat_deliver.enqueue(message_id=message_id, link=link)


def chat_message_send(*, message_id: int, link: str) -> ChatMessage:
    """One attempt (chat messages are notices: a failure is logged, not retried)."""
    message = ChatMessage.objects.select_related("channel", "opt_in").get(pk=message_id)
    target = message.channel or message.opt_in
    assert target is not None
    text = message.text.removesuffix(f"\n{link}") if link else message.text
    try:
        response = outbound.post(
            target.url,
            body=body_for(target.kind, text, link),
            headers={"Content-Type": "application/json"},
        )
    except (outbound.TargetRefused, OSError) as error:
        message.status, message.error = ChatMessage.Status.FAILED, str(error)[:500]
    else:
        if 200 <= response.status < 300:
            message.status = ChatMessage.Status.SENT
        else:
            message.status = ChatMessage.Status.FAILED
            message.error = f"The chat service answered {response.status}."
    message.save(update_fields=["status", "error"])
    return message
