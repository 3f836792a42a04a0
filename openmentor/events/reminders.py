"""Event reminders, a day and 15 minutes before, sent by the periodic scheduler to the
people going (meetings/reminders.py is the model: windows rather than exact minutes, and a
reminder row per (event, person, kind, start) as the claim, so each goes once however
often the job runs or however many workers tick; an event moved to a new time is
reminded again for the new time). Cancelled events, and people who said "not going",
get none."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from openmentor.core.scheduler import periodic
from openmentor.events.calendar import event_url
from openmentor.events.models import EventReminder, EventRsvp, ProgrammeEvent
from openmentor.meetings.services import local_label
from openmentor.mentorships.models import MentorshipMember
from openmentor.notifications.services import EmailSpec, notify
from openmentor.people.models import Profile

logger = logging.getLogger(__name__)

SOON = dt.timedelta(minutes=15)
DAY = dt.timedelta(hours=24)
LEADS = {EventReminder.Kind.DAY_BEFORE: "tomorrow", EventReminder.Kind.SOON: "in 15 minutes"}


def _due(now: dt.datetime) -> list[tuple[EventRsvp, EventReminder.Kind]]:
    # A circle's event reminds only its current members: leaving takes people out of its
    # events, and this guard keeps a reminder, the one message nobody asks for at the
    # time, from reaching someone who is no longer there whatever the path.
    in_circle = MentorshipMember.objects.filter(
        mentorship_id=OuterRef("event__circle_id"), user_id=OuterRef("user_id"), left_at=None
    )
    going = (
        EventRsvp.objects.filter(
            answer=EventRsvp.Answer.GOING, event__status=ProgrammeEvent.Status.SCHEDULED
        )
        .filter(Q(event__circle__isnull=True) | Exists(in_circle))
        .select_related("user", "event__programme__organisation")
    )
    # The day-before reminder stops where the 15-minute one takes over.
    day = going.filter(event__starts_at__gt=now + SOON, event__starts_at__lte=now + DAY)
    soon = going.filter(event__starts_at__gt=now, event__starts_at__lte=now + SOON)
    return [(r, EventReminder.Kind.DAY_BEFORE) for r in day] + [
        (r, EventReminder.Kind.SOON) for r in soon
    ]


def event_reminders_send(*, now: dt.datetime) -> int:
    """Sends every event reminder due at `now` not sent before; returns how many."""
    due = _due(now)
    # A profile (and so a timezone) is per organisation: one query for all of them.
    zones = {
        (org, user): tz
        for org, user, tz in Profile.objects.filter(
            user_id__in={r.user_id for r, _ in due}
        ).values_list("organisation_id", "user_id", "timezone")
    }
    sent = 0
    for rsvp, kind in due:
        event = rsvp.event
        person = rsvp.user
        when = local_label(
            event.starts_at, zones.get((event.programme.organisation_id, person.pk)) or "UTC"
        )
        lead = LEADS[kind]
        try:
            with transaction.atomic():
                EventReminder.objects.create(
                    event=event, user=person, kind=kind, starts_at=event.starts_at
                )
                notify(
                    organisation=event.programme.organisation,
                    user=person,
                    kind=f"event.reminder_{kind}",
                    text=f"{event.title} starts {lead}: {when}.",
                    url=event_url(event),
                    email=EmailSpec(
                        subject=f"Reminder: {event.title} starts {lead}",
                        template="events/email/reminder",
                        context={
                            "name": person.name,
                            "event": event,
                            "when": when,
                            "lead": lead,
                            "url": event_url(event),
                        },
                    ),
                )
        except IntegrityError:
            continue  # already sent (by an earlier tick or another worker)
        sent += 1
    return sent


@periodic("events.reminders")
def send_event_reminders(minute: dt.datetime) -> None:
    count = event_reminders_send(now=minute)
    if count:
        logger.info("event reminders sent", extra={"count": count})
