"""The weekly summary for managers' chat channels: what happened in the last seven days,
counted from the domain events (no names)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from openmentor.chat.models import ChatChannel
from openmentor.chat.services import chat_message_queue
from openmentor.core.events import EventKind
from openmentor.core.models import Event

LINES = [
    ((EventKind.MENTORSHIP_STARTED,), "mentorships started"),
    ((EventKind.MENTORSHIP_ENDED,), "mentorships ended"),
    ((EventKind.MEETING_HELD, EventKind.MEETING_LOGGED_EXTERNAL), "meetings held"),
    ((EventKind.FEEDBACK_GIVEN,), "pieces of feedback given"),
    ((EventKind.ENROLMENT_CREATED,), "people enrolled"),
    ((EventKind.MENTORSHIP_AT_RISK,), "mentorships flagged at risk"),
]


def weekly_summary_text(*, organisation_id: int, organisation_name: str, now: dt.datetime) -> str:
    counts = dict(
        Event.objects.filter(
            organisation_id=organisation_id, created_at__gte=now - dt.timedelta(days=7)
        )
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    parts = [f"{sum(counts.get(k, 0) for k in kinds)} {label}" for kinds, label in LINES]
    return f"{organisation_name}, the last 7 days: " + ", ".join(parts) + "."


@transaction.atomic
def weekly_summaries_send(*, now: dt.datetime) -> int:
    sent = 0
    for channel in ChatChannel.objects.filter(weekly_summary=True).select_related("organisation"):
        organisation = channel.organisation
        chat_message_queue(
            organisation_id=organisation.pk,
            topic="weekly_summary",
            text=weekly_summary_text(
                organisation_id=organisation.pk, organisation_name=organisation.name, now=now
            ),
            link=settings.SITE_URL + reverse("organisation_dashboard", args=[organisation.slug]),
            channel=channel,
        )
        sent += 1
    return sent
