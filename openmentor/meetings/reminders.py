"""Meeting reminders, 24 hours and 15 minutes before, sent by the periodic scheduler.

Windows rather than exact minutes: a tick that runs late (a worker restart, a missed
minute) still sends a reminder as long as the meeting has not started. A reminder row
per (meeting, person, kind, start) is the claim, so it is sent once however often the
job runs; a meeting moved to a new time is reminded again for the new time. Cancelled,
declined and unanswered meetings get none. All arithmetic is on UTC instants, so
"24 hours before" is 24 real hours even across a clock change.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction

from openmentor.core.email import email_send
from openmentor.core.scheduler import periodic
from openmentor.meetings import calendar, selectors
from openmentor.meetings.models import Meeting, MeetingReminder
from openmentor.meetings.services import local_label
from openmentor.mentorships import members
from openmentor.mentorships.models import Mentorship
from openmentor.notifications.services import notification_create

logger = logging.getLogger(__name__)

SOON = dt.timedelta(minutes=15)
DAY = dt.timedelta(hours=24)


def _due(now: dt.datetime) -> list[tuple[Meeting, MeetingReminder.Kind]]:
    # Only for mentorships still running: a paused or ended pair gets no reminders.
    accepted = Meeting.objects.filter(
        status=Meeting.Status.ACCEPTED, mentorship__status=Mentorship.Status.ACTIVE
    ).select_related(
        "mentorship__mentor", "mentorship__mentee", "mentorship__programme__organisation"
    )
    # The day-before reminder stops where the 15-minute one takes over.
    day = accepted.filter(starts_at__gt=now + SOON, starts_at__lte=now + DAY)
    soon = accepted.filter(starts_at__gt=now, starts_at__lte=now + SOON)
    return [(m, MeetingReminder.Kind.DAY_BEFORE) for m in day] + [
        (m, MeetingReminder.Kind.SOON) for m in soon
    ]


def reminders_send(*, now: dt.datetime) -> int:
    """Sends every reminder due at `now` that was not sent before; returns how many."""
    sent = 0
    for meeting, kind in _due(now):
        mentorship = meeting.mentorship
        organisation = mentorship.programme.organisation
        zones = selectors.profile_timezones(
            organisation_id=organisation.pk, user_ids=list(mentorship.member_ids())
        )
        for person in (p.user for p in members.people_of(mentorship)):
            partner = members.title_for(mentorship, person)
            when = local_label(meeting.starts_at, zones[person.pk])
            try:
                with transaction.atomic():
                    MeetingReminder.objects.create(
                        meeting=meeting, user=person, kind=kind, starts_at=meeting.starts_at
                    )
                    soon = kind == MeetingReminder.Kind.SOON
                    lead = "in 15 minutes" if soon else "within 24 hours"
                    notification_create(
                        organisation_id=organisation.pk,
                        user_id=person.pk,
                        kind=f"meeting_reminder_{kind}",
                        text=f"Your meeting with {partner} starts {lead}: {when}.",
                        url=calendar.meeting_url(meeting),
                    )
                    email_send(
                        to=[person.email],
                        subject=f"Reminder: meeting with {partner} {lead}",
                        template="meetings/email/reminder",
                        context={
                            "person": person,
                            "partner_name": partner,
                            "when": when,
                            "lead": lead,
                            "minutes": meeting.duration_minutes,
                            "url": calendar.meeting_url(meeting),
                        },
                    )
            except IntegrityError:
                continue  # already sent (by an earlier tick or another worker)
            sent += 1
    return sent


@periodic("meetings.reminders")
def send_meeting_reminders(minute: dt.datetime) -> None:
    count = reminders_send(now=minute)
    if count:
        logger.info("meeting reminders sent", extra={"count": count})
