"""iCalendar (RFC 5545 / iTIP RFC 5546) for meeting invitations and subscription feeds.

Times are written in UTC (a trailing Z): every calendar application understands that
without a VTIMEZONE block and shows the event in the reader's own timezone. The
organiser is the platform's address and both members are attendees, so the organiser
never changes across updates (Google Calendar and Outlook match updates on UID and
organiser) and each member's calendar treats the e-mail as an invitation to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from openmentor.meetings.models import Meeting
from openmentor.mentorships import members

PRODID = "-//OpenMentor//Meetings//EN"


def meeting_url(meeting: Meeting) -> str:
    mentorship = meeting.mentorship
    path = reverse(
        "meeting_detail",
        kwargs={
            "slug": mentorship.programme.organisation.slug,
            "mentorship_id": mentorship.pk,
            "meeting_id": meeting.pk,
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def calendar_address(email: str, name: str) -> vCalAddress:
    """An ORGANIZER or ATTENDEE value (programme events' invitations use it too)."""
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    return address


_address = calendar_address


def _event(meeting: Meeting, *, stamp: dt.datetime, for_feed: bool = False) -> Event:
    mentorship = meeting.mentorship
    people = members.people_of(mentorship)
    url = meeting_url(meeting)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at.astimezone(dt.UTC))
    event.add("dtend", meeting.ends_at.astimezone(dt.UTC))
    link = meeting.video_link
    if mentorship.is_circle:
        event.add("summary", f"Mentoring circle: {mentorship.topic}")
        names = ", ".join(f"{p.user.name} ({p.role})" for p in people)
        description = f"Group meeting of the {mentorship.topic} circle: {names}.\n"
    else:
        mentor, mentee = people[0].user, people[1].user
        event.add("summary", f"Mentoring: {mentor.name} and {mentee.name}")
        description = f"Mentoring meeting of {mentor.name} (mentor) and {mentee.name} (mentee).\n"
    if link:
        description += f"Join the video call: {link}\n"
    elif not meeting.location:
        description += "No place or video link yet: agree on one on the meeting page.\n"
    event.add("description", description + f"Agenda and details: {url}")
    if meeting.location:
        event.add("location", meeting.location)
    # One URL per event (RFC 5545): the call itself when there is one, else the page.
    event.add("url", link or url)
    if meeting.status == Meeting.Status.ACCEPTED:
        event.add("status", "CONFIRMED")
    elif meeting.status == Meeting.Status.PROPOSED:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CANCELLED")
    if not for_feed:
        organiser = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"
        event.add("organizer", _address(organiser, "OpenMentor"))
        for person in (p.user for p in people):
            attendee = _address(person.email, person.name)
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            accepted = meeting.status == Meeting.Status.ACCEPTED or (
                meeting.status == Meeting.Status.PROPOSED and person.pk == meeting.proposed_by_id
            )
            if meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.DECLINED):
                attendee.params["partstat"] = vText("DECLINED")
            else:
                attendee.params["partstat"] = vText("ACCEPTED" if accepted else "NEEDS-ACTION")
            event.add("attendee", attendee, encode=False)
    return event


def meeting_invitation(meeting: Meeting, *, now: dt.datetime | None = None) -> tuple[bytes, str]:
    """The .ics for the meeting's current state and its METHOD (REQUEST or CANCEL)."""
    method = "REQUEST" if meeting.is_open else "CANCEL"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(_event(meeting, stamp=now or timezone.now()))
    return calendar.to_ical(), method


def meeting_download(meeting: Meeting, *, now: dt.datetime | None = None) -> bytes:
    """The .ics behind "Add to calendar": the same event (UID, SEQUENCE) as the e-mailed
    invitations, so a later e-mailed update or cancellation replaces this copy instead of
    adding a second one. METHOD:PUBLISH because a download is not a reply-able request."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(_event(meeting, stamp=now or timezone.now()))
    return calendar.to_ical()


def subscription_feed(meetings: Iterable[Meeting], *, name: str) -> bytes:
    """A feed to subscribe to: no METHOD (RFC 5545 publishing, not an iTIP message)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for meeting in meetings:
        calendar.add_component(_event(meeting, stamp=stamp, for_feed=True))
    return calendar.to_ical()
