"""Issue 5's whole journey: schedule across timezones with calendar invitations, reschedule,
talk live, then end kindly and ask for a rematch that reaches the manager's queue."""

from __future__ import annotations

import re
import time
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Mentorship, RematchRequest
from openmentor.organisations.models import Membership
from openmentor.people.models import Profile
from tests.conftest import client_for, make_tenant
from tests.scenarios import active_mentorship


def browser_for(browser: Browser, server: dict[str, Any], member: Membership) -> Page:
    context = browser.new_context(base_url=server["url"])
    session = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server["url"]}]
    )
    return context.new_page()


def invitations(server: dict[str, Any], address: str) -> list[icalendar.Calendar]:
    """Every .ics attached to e-mails sent to `address`, oldest first, parsed back."""
    found = []
    for message in server["outbox"].to(address):
        for part in message.walk():
            assert isinstance(part, Message)
            if part.get_filename() and part.get_filename().endswith(".ics"):
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                found.append(icalendar.Calendar.from_ical(payload))
    return found


def wait_for_invitations(server: dict[str, Any], address: str, count: int) -> list[Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = invitations(server, address)
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{address} got {len(invitations(server, address))} invitations")


def event_of(calendar: icalendar.Calendar) -> Any:
    return next(c for c in calendar.walk() if c.name == "VEVENT")


@pytest.mark.django_db(transaction=True)
def test_schedule_reschedule_talk_end_and_ask_for_a_rematch(
    browser: Browser, server: dict[str, Any]
) -> None:
    tenant = make_tenant("Acme")
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    mentor_member = Membership.objects.get(organisation=tenant.organisation, user=mentorship.mentor)
    # The mentee lives in New York, the mentor in London; their weekly times overlap.
    Profile.objects.filter(user=mentorship.mentee).update(
        timezone="America/New_York",
        availability=[{"day": "tue", "start": "04:00", "end": "08:00"}],
    )
    Profile.objects.filter(user=mentorship.mentor).update(
        timezone="Europe/London",
        availability=[{"day": "tue", "start": "09:00", "end": "12:00"}],
    )
    slug = tenant.organisation.slug
    base = f"/o/{slug}/mentorships/{mentorship.pk}"
    mentor, mentee = mentorship.mentor, mentorship.mentee
    mentor_page = browser_for(browser, server, mentor_member)
    mentee_page = browser_for(browser, server, tenant.participant)

    # The mentor proposes one of the times when both are free (shown in London time).
    mentor_page.goto(base + "/meetings/propose/")
    expect(mentor_page.get_by_text("your time, Europe/London")).to_be_visible()
    free = mentor_page.get_by_role("group", name=re.compile("Times when you are both free"))
    free.get_by_role("radio").first.check()
    mentor_page.get_by_label("Duration (minutes)").fill("45")
    mentor_page.get_by_role("button", name="Propose meeting").click()
    meeting = Meeting.objects.get()
    assert meeting.status == "proposed"

    # The mentee sees it in New York time and accepts.
    mentee_page.goto(f"{base}/meetings/{meeting.pk}/")
    local = meeting.starts_at.astimezone(ZoneInfo("America/New_York"))
    expect(mentee_page.get_by_text(local.strftime("%H:%M")).first).to_be_visible()
    mentee_page.get_by_role("button", name="Accept").click()
    meeting.refresh_from_db()
    assert meeting.status == "accepted"

    # Both got calendar invitations that parse, with one stable UID.
    mentor_invites = wait_for_invitations(server, mentor.email, 2)
    mentee_invites = wait_for_invitations(server, mentee.email, 2)
    for calendar in mentor_invites + mentee_invites:
        assert str(calendar["METHOD"]) == "REQUEST"
        event = event_of(calendar)
        assert str(event["UID"]) == meeting.uid
        assert event.decoded("DTSTART") == meeting.starts_at
    accepted_sequence = int(event_of(mentor_invites[-1])["SEQUENCE"])

    # The mentee reschedules to another free time; the mentor's update has a higher SEQUENCE.
    mentee_page.goto(f"{base}/meetings/{meeting.pk}/")
    mentee_page.get_by_role("link", name="Reschedule").click()
    free = mentee_page.get_by_role("group", name=re.compile("Times when you are both free"))
    free.get_by_role("radio").nth(1).check()
    mentee_page.get_by_role("button", name="Send new time").click()
    meeting.refresh_from_db()
    update = event_of(wait_for_invitations(server, mentor.email, 3)[-1])
    assert str(update["UID"]) == meeting.uid
    assert int(update["SEQUENCE"]) > accepted_sequence
    assert update.decoded("DTSTART") == meeting.starts_at

    # They talk, live.
    mentor_page.goto(base + "/messages/")
    mentee_page.goto(base + "/messages/")
    for page in (mentor_page, mentee_page):
        expect(page.get_by_role("log")).to_have_attribute("data-live", "on")
    mentor_page.get_by_label("Message", exact=True).fill("The new time works for me.")
    mentor_page.get_by_role("button", name="Send").click()
    expect(mentee_page.get_by_role("log").get_by_text("The new time works for me.")).to_be_visible()
    mentee_page.get_by_label("Message", exact=True).fill("Great, see you then.")
    mentee_page.get_by_role("button", name="Send").click()
    expect(mentor_page.get_by_role("log").get_by_text("Great, see you then.")).to_be_visible()

    # The mentee ends the mentorship, kindly, and asks for a new mentor.
    mentee_page.goto(base + "/")
    mentee_page.get_by_role("link", name="End the mentorship").click()
    mentee_page.get_by_role("group", name="What is the main reason?").get_by_label(
        "Our schedules did not fit"
    ).check()
    mentee_page.get_by_label("Find me a new mentor").check()
    mentee_page.get_by_role("button", name="End the mentorship").click()
    expect(mentee_page.get_by_text("Your mentorship has ended.")).to_be_visible()
    assert Mentorship.objects.get().status == "ended"
    assert RematchRequest.objects.get().status == "open"

    # The rematch request is in the manager's queue.
    manager_page = browser_for(browser, server, tenant.manager)
    manager_page.goto(f"/o/{slug}/programmes/{mentorship.programme.slug}/rematches/")
    expect(manager_page.get_by_role("region", name=re.compile(mentee.name))).to_be_visible()
