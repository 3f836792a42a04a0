"""Reads of programme events, scoped to the programme (and so to its organisation)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from openmentor.events.models import EventRsvp, ProgrammeEvent
from openmentor.programmes.models import Programme
from openmentor.video.models import Presence


def programme_events(*, programme: Programme) -> QuerySet[ProgrammeEvent]:
    return ProgrammeEvent.objects.filter(programme=programme).annotate(
        going=Count("rsvps", filter=Q(rsvps__answer=EventRsvp.Answer.GOING))
    )


def event_attendance(*, event: ProgrammeEvent) -> list[int]:
    """User ids who attended: in the group room during the event (video presence), or for
    an external link those who clicked "I attended"."""
    marked = set(event.rsvps.exclude(attended_at=None).values_list("user_id", flat=True))
    if event.room_id is None:
        return sorted(marked)
    present = Presence.objects.filter(
        Q(left_at__isnull=True) | Q(left_at__gt=event.starts_at),
        room_id=event.room_id,
        joined_at__lt=event.ends_at,
    )
    if event.created_by_id is not None:  # the host is not an attendee
        present = present.exclude(user_id=event.created_by_id)
    return sorted(marked | set(present.values_list("user_id", flat=True)))
