"""What a newcomer sees: their name on what they send, times in their own timezone,
Join only when there is a call, Add to calendar, and a header that fits a phone."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_accounts_flow import sign_up

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _log_in(page: Page, email: str) -> None:
    from tests.factories import PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_a_new_owner_gives_their_name_and_their_invitation_names_them_the_programme_and_role(
    browser: Browser, server: dict[str, Any]
) -> None:
    page = browser.new_page(base_url=server["url"])
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    sign_up(page, server, "grace@example.org", name="Grace Hopper")
    page.get_by_role("link", name="Create an organisation").click()
    page.get_by_label("Organisation name").fill("Harbour Mentoring")
    page.get_by_role("button", name="Create organisation").click()
    # The header names the person, not their address.
    expect(page.locator("summary").first).to_contain_text("Grace Hopper")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name="Create a programme").click()
    page.get_by_label(re.compile(r"^Name\b")).fill("Autumn cohort")
    page.get_by_label("Starts on").fill("2027-09-01")
    page.get_by_label("Ends on").fill("2027-12-01")
    page.get_by_role("button", name="Create programme").click()
    expect(page.get_by_role("heading", name="Autumn cohort")).to_be_visible()
    # Still a draft: the manager is told before and after inviting.
    expect(page.get_by_role("note").filter(has_text="still a draft")).to_be_visible()
    page.get_by_label("E-mail addresses").fill("newcomer@example.org")
    page.get_by_label("Invite as").select_option(label="Mentee")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("Invitation sent to 1")).to_be_visible()
    expect(page.get_by_role("status").get_by_text("still a draft")).to_be_visible()

    (message,) = server["outbox"].to("newcomer@example.org")
    assert "Autumn cohort" in message["Subject"]
    link = server["outbox"].link_for("newcomer@example.org", "/invitations/")
    from tests.e2e.conftest import _text_of

    body = " ".join(_text_of(message).split())
    assert "Grace Hopper invited you to Autumn cohort" in body
    assert "as a mentee" in body and "not open yet" in body and "1 September 2027" in body

    invitee = browser.new_context(base_url=server["url"]).new_page()
    invitee.goto(link)
    main = invitee.get_by_role("main")
    expect(main).to_contain_text("Grace Hopper invited newcomer@example.org to join")
    expect(main).to_contain_text("the mentoring programme Autumn cohort as a mentee")
    expect(main).to_contain_text("Autumn cohort is not open yet")
    invitee.context.close()


def _pair_in(zone: str) -> Any:
    """A mentor (the person under test) in `zone` and a mentee in UTC, in a running
    programme of their organisation."""
    from openmentor.organisations.models import Role
    from openmentor.people.models import Profile
    from tests.factories import MembershipFactory
    from tests.scenarios import active_mentorship

    mentor = MembershipFactory(role=Role.PARTICIPANT, user__display_name="Sam Sydney")
    mentee = MembershipFactory(
        role=Role.PARTICIPANT, organisation=mentor.organisation, user__display_name="Mia Mentee"
    )
    pair = active_mentorship(mentor.organisation, mentor=mentor, mentee=mentee)
    Profile.objects.filter(user=mentor.user).update(timezone=zone)
    return pair


@pytest.mark.django_db(transaction=True)
def test_home_shows_meetings_in_my_time_in_date_order_with_join_only_for_a_call(
    browser: Browser, server: dict[str, Any]
) -> None:
    from openmentor.meetings.models import Meeting

    zone = "Australia/Sydney"
    pair = _pair_in(zone)
    now = timezone.now().replace(second=0, microsecond=0)

    def meeting(starts_in: dt.timedelta, location: str) -> Meeting:
        return Meeting.objects.create(
            mentorship=pair,
            starts_at=now + starts_in,
            duration_minutes=30,
            status=Meeting.Status.ACCEPTED,
            proposed_by=pair.mentor,
            location=location,
        )

    # Made out of date order on purpose.
    later = meeting(dt.timedelta(days=5, hours=3), "https://meet.example.org/later")
    soon = meeting(dt.timedelta(minutes=10), "https://meet.example.org/soon")
    nowhere = meeting(dt.timedelta(days=2), "")
    page = browser.new_page(base_url=server["url"])
    _log_in(page, pair.mentor.email)
    page.goto(f"/o/{pair.programme.organisation.slug}/")

    tiles = page.get_by_role("region", name="Upcoming meetings").get_by_role("listitem")
    expect(tiles).to_have_count(3)
    tz = ZoneInfo(zone)
    expected = [m.starts_at.astimezone(tz) for m in (soon, nowhere, later)]
    for tile, local in zip(tiles.all(), expected, strict=True):
        expect(tile).to_contain_text(f"{local:%A} {local.day} {local:%B}, {local:%H:%M}")
        expect(tile).to_contain_text(zone)
    # Join only on the meeting with a call about to start, and it opens the call itself.
    join = page.get_by_role("link", name=re.compile(r"^Join"))
    expect(join).to_have_count(1)
    expect(join).to_have_attribute("href", "https://meet.example.org/soon")
    expect(tiles.nth(0)).not_to_contain_text("Add to calendar")
    for tile in (tiles.nth(1), tiles.nth(2)):
        expect(tile.get_by_role("link", name=re.compile("^Add to calendar"))).to_be_visible()

    # The meeting page says the same time as the home page.
    tiles.nth(2).get_by_role("link", name=re.compile("^Agenda and notes")).click()
    local = later.starts_at.astimezone(tz)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Meeting on {local:%A} {local.day} {local:%B %Y}"
    )
    expect(page.get_by_text(f"{local:%H:%M}–")).to_be_visible()

    # Add to calendar gives the event the invitations carry (same UID and SEQUENCE).
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar").click()
    ics = Path(download.value.path()).read_text()
    assert f"UID:{later.uid}" in ics and "SEQUENCE:0" in ics
    assert f"DTSTART:{later.starts_at:%Y%m%dT%H%M%S}Z" in ics

    # And the meetings list is in date order too.
    page.goto(f"/o/{pair.programme.organisation.slug}/mentorships/{pair.pk}/meetings/")
    rows = page.get_by_role("table", name="Upcoming meetings").get_by_role("row")
    expect(rows).to_have_count(4)  # a header and three meetings
    for row, local in zip(rows.all()[1:], expected, strict=True):
        expect(row).to_contain_text(f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}")
