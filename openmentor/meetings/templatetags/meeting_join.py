"""`{{ meeting|call_link_now:slug }}`: what a Join button opens right now, or "".

The pair's own video link when they set one (from 15 minutes before); for a meeting
with no link and no place, OpenMentor's built-in call room while it is open (10 minutes before the start until
30 minutes after the end). Without the organisation's slug only the pasted link counts.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone

from openmentor.meetings.models import Meeting

register = template.Library()


@register.filter
def call_link_now(meeting: Meeting, slug: str = "") -> str:
    now = timezone.now()
    link = meeting.call_link_at(now)
    # A meeting with a place of its own (a room, a phone number) is not joined online.
    if link or meeting.location or not slug or not meeting.call_room_open_at(now):
        return link
    return reverse(
        "meeting_call",
        kwargs={"slug": slug, "mentorship_id": meeting.mentorship_id, "meeting_id": meeting.pk},
    )
