"""A mentoring circle of a mentor and three mentees: all four hold their group meeting in
the group room (through Janus, tests/e2e/janus.py), then each writes in and reads the
circle's one conversation. Marked `webrtc`: scripts/test.sh runs it inside `unshare -n`."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from openmentor.meetings.services import meeting_accept, meeting_propose
from openmentor.video.models import Presence, Room
from tests.conftest import make_tenant
from tests.e2e.janus import feeds_decoding, join_from_lobby, signed_in
from tests.mentorships.circles import running_circle

pytestmark = [pytest.mark.webrtc, pytest.mark.django_db(transaction=True)]

TOPIC = "Moving into management"


def test_a_circle_of_four_talks_and_meets_in_the_group_room(
    browser: Browser, group_server: str
) -> None:
    tenant = make_tenant("Acme")
    running = running_circle(tenant.organisation, mentees=3)
    circle = running.circle
    mentor, mentees = running.mentors[0], running.mentees[:3]
    people = [mentor, *mentees]
    # The mentor plans the group meeting and a mentee confirms it; it starts in five
    # minutes, so its room is already open (10 minutes before).
    meeting = meeting_propose(
        mentorship=circle,
        proposer=mentor,
        starts_at=timezone.now() + dt.timedelta(minutes=5),
        duration_minutes=45,
    )[0]
    meeting_accept(meeting=meeting, actor=mentees[1])
    slug = tenant.organisation.slug
    contexts: list[BrowserContext] = []
    pages: list[Page] = []
    try:
        for user in people:
            context, page = signed_in(
                browser, group_server, user.memberships.get(organisation=tenant.organisation)
            )
            contexts.append(context)
            pages.append(page)
            page.goto(f"/o/{slug}/mentorships/{circle.pk}/")
            expect(page.get_by_role("heading", name=f"The {TOPIC} circle")).to_be_visible()
            members = page.get_by_role("list", name="Members of the circle")
            for other in people:
                if other != user:
                    expect(members).to_contain_text(other.name)
        # The group meeting, from its page into the group room.
        for page in pages:
            page.goto(f"/o/{slug}/mentorships/{circle.pk}/meetings/{meeting.pk}/")
            page.get_by_role("link", name="Join the call").click()
            join_from_lobby(page)
        for page in pages:
            expect(page.locator("#call-status")).to_have_attribute(
                "data-state", "connected", timeout=60_000
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(feeds_decoding(page) == 3 for page in pages):
                break
            time.sleep(0.5)
        assert [feeds_decoding(page) for page in pages] == [3, 3, 3, 3]
        # The room records each member with media (their first heartbeat, within 5 s).
        room = Room.objects.get(meeting=meeting)
        with_media = Presence.objects.filter(room=room, media_since__isnull=False)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if set(with_media.values_list("user_id", flat=True)) == {u.pk for u in people}:
                break
            time.sleep(0.5)
        assert set(with_media.values_list("user_id", flat=True)) == {u.pk for u in people}
        # Then each writes in the circle's one conversation, from the circle's page.
        for user, page in zip(people, pages, strict=True):
            page.goto(f"/o/{slug}/mentorships/{circle.pk}/")
            page.get_by_role("link", name="Circle conversation").click()
            expect(
                page.get_by_role("heading", name=f"Messages with the {TOPIC} circle")
            ).to_be_visible()
            page.get_by_label("Message", exact=True).fill(f"Hello circle, {user.name} here")
            page.get_by_role("button", name="Send").click()
            expect(page.get_by_role("log")).to_contain_text(f"Hello circle, {user.name} here")
        # Everyone sees everyone's messages in the one conversation.
        for page in pages:
            page.reload()
            log = page.get_by_role("log", name=re.compile(TOPIC))
            for user in people:
                expect(log).to_contain_text(f"Hello circle, {user.name} here")
    finally:
        for context in contexts:
            context.close()
