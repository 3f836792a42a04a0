"""The .ics of a programme event, with the meetings app's habits (meetings/calendar.py):
times in UTC, the platform as organiser, one UID for the event's life and SEQUENCE up on
each change, METHOD:REQUEST for an invitation or update and METHOD:CANCEL when cancelled."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event

from openmentor.accounts.models import User
from openmentor.events.models import ProgrammeEvent
from openmentor.meetings.calendar import calendar_address

PRODID = "-//OpenMentor//Events//EN"


def event_url(event: ProgrammeEvent) -> str:
    programme = event.programme
    path = reverse("event_detail", args=[programme.organisation.slug, programme.slug, event.pk])
    return settings.SITE_URL.rstrip("/") + path


def event_invitation(
    event: ProgrammeEvent, attendee: User, *, now: dt.datetime
) -> tuple[bytes, str]:
    """The invitation (or update, or cancellation) for one attendee, and its METHOD."""
    cancelled = event.status == ProgrammeEvent.Status.CANCELLED
    method = "CANCEL" if cancelled else "REQUEST"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    item = Event()
    item.add("uid", event.uid)
    item.add("sequence", event.sequence)
    item.add("dtstamp", now)
    item.add("dtstart", event.starts_at.astimezone(dt.UTC))
    item.add("dtend", event.ends_at.astimezone(dt.UTC))
    item.add("summary", f"{event.title} ({event.programme.name})")
    page = event_url(event)
    where = event.external_url if event.venue == ProgrammeEvent.Venue.EXTERNAL else page
    item.add("description", f"{event.description}\n\nJoin: {where}\nDetails: {page}".strip())
    item.add("url", where)
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organiser = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"
    item.add("organizer", calendar_address(organiser, "OpenMentor"))
    person = calendar_address(attendee.email, attendee.name)
    person.params["partstat"] = "DECLINED" if cancelled else "ACCEPTED"
    item.add("attendee", person, encode=False)
    calendar.add_component(item)
    return calendar.to_ical(), method
