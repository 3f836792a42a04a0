from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse

from openmentor.chat.models import ChatChannel, ChatOptIn
from openmentor.chat.services import chat_message_queue
from openmentor.core.events import EventKind, event_recorded
from openmentor.core.models import Event
from openmentor.notifications.models import Notification

# Notices a participant may also get in their chat: meeting reminders (written by the
# meetings app) and nudges (the tracking work writes them with kinds starting "nudge").
REMINDER_PREFIX = "meeting_reminder"
NUDGE_PREFIX = "nudge"


@receiver(event_recorded, sender=Event, dispatch_uid="chat.at_risk")
def _at_risk(sender: type[Event], event: Event, **kwargs: Any) -> None:
    if event.kind != EventKind.MENTORSHIP_AT_RISK:
        return
    channels = list(ChatChannel.objects.filter(organisation_id=event.organisation_id, at_risk=True))
    if not channels:
        return
    slug = event.organisation.slug
    # No names in a shared channel: the dashboard shows them to those allowed to see them.
    link = settings.SITE_URL + reverse("organisation_dashboard", args=[slug])
    reason = str(event.data.get("reason", "")).strip()
    text = "A mentorship may need attention" + (f": {reason}" if reason else ".")
    for channel in channels:
        chat_message_queue(
            organisation_id=event.organisation_id,
            topic="at_risk",
            text=text,
            link=link,
            channel=channel,
        )


@receiver(post_save, sender=Notification, dispatch_uid="chat.personal_notices")
def _personal(
    sender: type[Notification], instance: Notification, created: bool, **kwargs: Any
) -> None:
    if not created:
        return
    is_reminder = instance.kind.startswith(REMINDER_PREFIX)
    is_nudge = instance.kind.startswith(NUDGE_PREFIX)
    if not (is_reminder or is_nudge):
        return
    opt_in = ChatOptIn.objects.filter(
        organisation_id=instance.organisation_id, user_id=instance.user_id
    ).first()
    if (
        opt_in is None
        or (is_reminder and not opt_in.meeting_reminders)
        or (is_nudge and not opt_in.nudges)
    ):
        return
    link = settings.SITE_URL + instance.url if instance.url.startswith("/") else instance.url
    chat_message_queue(
        organisation_id=instance.organisation_id,
        topic="reminder" if is_reminder else "nudge",
        text=instance.text,
        link=link,
        opt_in=opt_in,
    )
