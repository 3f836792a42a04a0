"""`{% meeting_call_panel meeting %}`: the meeting page's way into its call, and who attended.

Lives in the video app so the meetings app never imports it (pages load it by name).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from openmentor.meetings.models import Meeting
from openmentor.mentorships import members
from openmentor.video import selectors

register = template.Library()


@register.inclusion_tag("video/includes/meeting_call_panel.html", takes_context=True)
def meeting_call_panel(
    context: dict[str, Any], meeting: Meeting, is_member: bool
) -> dict[str, Any]:
    now = timezone.now()
    attendance = selectors.meeting_attendance(meeting=meeting)
    mentorship = meeting.mentorship
    names = {p.user.pk: p.user.name for p in members.people_of(mentorship)}
    return {
        "meeting": meeting,
        "is_member": is_member,
        "slug": context["current_organisation"].slug,
        "open": meeting.call_room_open_at(now),
        "opens_at": meeting.starts_at - selectors.OPENS_BEFORE,
        "future": meeting.status == Meeting.Status.ACCEPTED and now < meeting.starts_at,
        "attended": (
            [(names.get(uid, ""), seconds // 60) for uid, seconds in attendance.seconds.items()]
            if attendance
            else []
        ),
        "held": bool(attendance and attendance.held),
    }
