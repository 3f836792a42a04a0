"""`{{ meeting|call_link_now }}`: the video link a Join button opens right now, or ""."""

from __future__ import annotations

from django import template
from django.utils import timezone

from openmentor.meetings.models import Meeting

register = template.Library()


@register.filter
def call_link_now(meeting: Meeting) -> str:
    return meeting.call_link_at(timezone.now())
