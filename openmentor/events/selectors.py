"""Reads of programme events, scoped to the programme (and so to its organisation).

Each read takes the `viewer`: a circle's event is seen only by the circle's current
members, and by the programme's managers, who pass None (they see every event)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from openmentor.accounts.models import User
from openmentor.events.models import EventRsvp, ProgrammeEvent
from openmentor.meetings.models import CALL_ROOM_OPENS_MINUTES, CALL_ROOM_STAYS_MINUTES
from openmentor.mentorships.models import Mentorship, MentorshipMember
from openmentor.programmes.models import Programme
from openmentor.video.models import Presence

# How many past events a list shows (the most recent); upcoming ones are all shown, to a
# bound no programme reaches.
PAST_SHOWN = 20
UPCOMING_SHOWN = 100
ROOM_OPENS = dt.timedelta(minutes=CALL_ROOM_OPENS_MINUTES)
ROOM_STAYS = dt.timedelta(minutes=CALL_ROOM_STAYS_MINUTES)
# A circle an event can be newly given to: one being formed or running.
CIRCLE_STATUSES = (Mentorship.Status.PROPOSED, Mentorship.Status.ACTIVE)


def programme_events(*, programme: Programme, viewer: User | None) -> QuerySet[ProgrammeEvent]:
    """The programme's events `viewer` may see (None: a manager, who sees them all)."""
    events = (
        ProgrammeEvent.objects.filter(programme=programme)
        .select_related("circle")
        .annotate(going=Count("rsvps", filter=Q(rsvps__answer=EventRsvp.Answer.GOING)))
    )
    if viewer is not None:
        events = events.filter(
            ~Q(audience=ProgrammeEvent.Audience.CIRCLE)
            | Q(
                circle_id__in=MentorshipMember.objects.filter(
                    user_id=viewer.pk, left_at__isnull=True
                ).values("mentorship_id")
            )
        )
    return events


def event_in_programme(
    *, programme: Programme, event_id: int, viewer: User | None
) -> ProgrammeEvent:
    """The event named in the URL, only within the programme in the URL and only if the
    viewer may see it (a circle's event is a 404 to everyone outside the circle)."""
    event = (
        programme_events(programme=programme, viewer=viewer)
        .select_related("programme__organisation")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        raise Http404("No such event")
    return event


@dataclass
class EventLists:
    upcoming: list[ProgrammeEvent]
    past: list[ProgrammeEvent]


def event_lists(
    *, programme: Programme, now: dt.datetime, include_cancelled: bool, viewer: User | None
) -> EventLists:
    """Upcoming events (soonest first, those under way included) and the most recent past
    ones; participants do not see cancelled events in the list (their page still says so)."""
    events = programme_events(programme=programme, viewer=viewer)
    if not include_cancelled:
        events = events.exclude(status=ProgrammeEvent.Status.CANCELLED)
    upcoming = list(events.filter(ends_at__gt=now).order_by("starts_at", "pk")[:UPCOMING_SHOWN])
    past = list(events.filter(ends_at__lte=now).order_by("-starts_at", "-pk")[:PAST_SHOWN])
    return EventLists(upcoming=upcoming, past=past)


def event_circles(*, programme: Programme, current: Mentorship | None = None) -> list[Mentorship]:
    """The circles a manager can give an event to: the programme's circles being formed or
    running, by topic (and the event's own circle, even if it has ended since)."""
    circles = Q(status__in=CIRCLE_STATUSES)
    if current is not None:
        circles |= Q(pk=current.pk)
    return list(
        Mentorship.objects.filter(circles, programme=programme, kind=Mentorship.Kind.CIRCLE)
        .select_related("mentor")
        .order_by("topic", "pk")
    )


def answers_of(*, user: User, events: list[ProgrammeEvent]) -> dict[int, EventRsvp]:
    """The person's own answers to the given events, by event id (one query)."""
    rows = EventRsvp.objects.filter(user=user, event_id__in=[e.pk for e in events])
    return {r.event_id: r for r in rows}


def event_attendance(*, event: ProgrammeEvent) -> list[int]:
    """User ids who attended: in the group room while it was open for the event (from 10
    minutes before to 30 after, as the room opens; video presence), or for an external
    link those who clicked "I attended"."""
    marked = set(event.rsvps.exclude(attended_at=None).values_list("user_id", flat=True))
    if event.room_id is None:
        return sorted(marked)
    present = Presence.objects.filter(
        Q(left_at__isnull=True) | Q(left_at__gt=event.starts_at - ROOM_OPENS),
        room_id=event.room_id,
        joined_at__lt=event.ends_at + ROOM_STAYS,
    )
    if event.created_by_id is not None:  # the host is not an attendee
        present = present.exclude(user_id=event.created_by_id)
    return sorted(marked | set(present.values_list("user_id", flat=True)))


@dataclass
class AttendanceRow:
    name: str
    going: bool
    attended: bool


def event_attendance_rows(*, event: ProgrammeEvent) -> list[AttendanceRow]:
    """For managers: everyone who said they are going or who attended, by name."""
    attended = set(event_attendance(event=event))
    going = set(event.rsvps.filter(answer=EventRsvp.Answer.GOING).values_list("user_id", flat=True))
    people = User.objects.filter(pk__in=attended | going).order_by(
        "display_name", "first_name", "last_name", "email"
    )
    return [
        AttendanceRow(name=u.name, going=u.pk in going, attended=u.pk in attended) for u in people
    ]
