"""Shared set-up for the meeting tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from icalendar import Calendar

from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Mentorship
from openmentor.people.models import Profile
from tests.factories import MeetingFactory

UTC = dt.UTC


def set_profile(mentorship: Mentorship, user_id: int, **fields: Any) -> None:
    Profile.objects.filter(
        organisation_id=mentorship.programme.organisation_id, user_id=user_id
    ).update(**fields)


def make_meeting(
    mentorship: Mentorship,
    starts_at: dt.datetime,
    *,
    minutes: int = 30,
    status: str = Meeting.Status.ACCEPTED,
    proposed_by: Any = None,
) -> Meeting:
    return MeetingFactory(
        mentorship=mentorship,
        starts_at=starts_at,
        duration_minutes=minutes,
        status=status,
        proposed_by=proposed_by or mentorship.mentor,
        cancelled_at=starts_at if status == Meeting.Status.CANCELLED else None,
    )


def invitations(address: str) -> list[Calendar]:
    """Every .ics attachment e-mailed to `address`, parsed back with icalendar."""
    found = []
    for message in mail.outbox:
        if address not in message.to:
            continue
        for name, content, mimetype in message.attachments:  # type: ignore[misc]
            if name.endswith(".ics"):
                assert mimetype.startswith("text/calendar; method=")
                data = content if isinstance(content, bytes) else content.encode()
                found.append(Calendar.from_ical(data))
    return found


def event_of(calendar: Calendar) -> Any:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]
