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

# Looked at by a person when the layout changes; test-results/ is not committed.
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


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


PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a 390 px phone"


def _every_cell_fits(cells: Any) -> None:
    """Each cell of the table (the last columns too) lies within the phone's width."""
    assert cells.count() > 0
    for i in range(cells.count()):
        box = cells.nth(i).bounding_box()
        assert box is not None and box["width"] > 0, f"cell {i} is not shown"
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"cell {i} is cut off"


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_header_is_one_row_with_a_menu_and_tables_fit(
    browser: Browser, server: dict[str, Any]
) -> None:
    from openmentor.meetings.models import Meeting
    from openmentor.organisations.models import Role
    from openmentor.programmes.models import Enrolment
    from tests.factories import MembershipFactory

    SHOTS.mkdir(parents=True, exist_ok=True)
    pair = _pair_in("Europe/Berlin")
    organisation = pair.programme.organisation
    Meeting.objects.create(
        mentorship=pair,
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration_minutes=30,
        status=Meeting.Status.ACCEPTED,
        proposed_by=pair.mentor,
    )
    context = browser.new_context(base_url=server["url"], viewport=PHONE)
    page = context.new_page()
    _log_in(page, pair.mentor.email)
    page.goto(f"/o/{organisation.slug}/")
    header = page.locator("header.site-header")
    page.screenshot(path=str(SHOTS / "phone-home.png"))
    height = header.bounding_box()["height"]  # type: ignore[index]
    assert height <= 64, f"the header takes {height} px of a 844 px screen"
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Programmes")).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(main_nav.get_by_role("link", name="Programmes")).to_be_visible()
    page.screenshot(path=str(SHOTS / "phone-home-menu-open.png"))
    menu.click()
    # The mentorships table: every column readable, nothing off the side.
    table = page.get_by_role("table", name="Your mentorships")
    expect(table.get_by_role("link", name="Mia Mentee", exact=True)).to_be_visible()
    _every_cell_fits(table.locator("tbody td"))
    _no_sideways_scroll(page)
    page.get_by_role("table", name="Your mentorships").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "phone-home-mentorships.png"), full_page=True)

    # On a wide screen the links are in the header and there is no Menu button.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(main_nav.get_by_role("link", name="Programmes")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "desktop-home.png"))
    page.set_viewport_size(PHONE)

    # The pair's meetings list: every cell within the phone's width too.
    page.goto(f"/o/{organisation.slug}/mentorships/{pair.pk}/meetings/")
    _every_cell_fits(page.get_by_role("table", name="Upcoming meetings").locator("td"))
    _no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "phone-meetings.png"), full_page=True)

    # The mentorship page: its action links are a row, not bullets over the links.
    page.goto(f"/o/{organisation.slug}/mentorships/{pair.pk}/")
    actions = page.locator("ul.actions").first
    assert actions.evaluate("e => getComputedStyle(e).listStyleType") == "none"
    _no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "phone-mentorship.png"), full_page=True)

    # A manager's participants list: the filter does not fill the first screen.
    manager = MembershipFactory(organisation=organisation, role=Role.MANAGER)
    for _ in range(6):
        member = MembershipFactory(organisation=organisation)
        Enrolment.objects.create(programme=pair.programme, user=member.user, role="mentee")
    context.clear_cookies()
    _log_in(page, manager.user.email)
    page.goto(f"/o/{organisation.slug}/programmes/{pair.programme.slug}/participants/")
    page.screenshot(path=str(SHOTS / "phone-participants.png"))
    expect(page.get_by_role("search", name="Filter participants")).to_be_hidden()
    participants = page.get_by_role("table", name=re.compile("^Participants of"))
    expect(participants.get_by_role("row").nth(1)).to_be_in_viewport()
    _every_cell_fits(participants.locator("tbody tr").first.locator("td"))
    _no_sideways_scroll(page)
    page.get_by_text("Filter participants", exact=True).click()
    expect(page.get_by_role("search", name="Filter participants")).to_be_visible()

    # Programme status buttons sit apart, not stacked against each other.
    page.goto(f"/o/{organisation.slug}/programmes/{pair.programme.slug}/")
    buttons = page.get_by_role("region", name=re.compile("^Status")).get_by_role("button")
    if buttons.count() >= 2:
        first, second = (buttons.nth(i).bounding_box() for i in range(2))
        assert first and second
        gap_x = second["x"] - (first["x"] + first["width"])
        gap_y = second["y"] - (first["y"] + first["height"])
        assert max(gap_x, gap_y) >= 8, "the status buttons touch"
    page.screenshot(path=str(SHOTS / "phone-programme.png"), full_page=True)
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_manager_finds_a_pair_in_a_long_proposal_and_reads_why(
    browser: Browser, server: dict[str, Any]
) -> None:
    from openmentor.accounts.models import User
    from openmentor.matching.models import MatchingRun
    from openmentor.matching.problem import user_id_of
    from tests.factories import OrganisationFactory
    from tests.scenarios import enrolling_programme

    scenario = enrolling_programme(OrganisationFactory(), mentors=20, mentees=40)
    page = browser.new_page(base_url=server["url"])
    _log_in(page, scenario.manager.user.email)
    page.goto(f"/o/{scenario.organisation.slug}/programmes/{scenario.programme.slug}/matching/")
    page.get_by_role("button", name="Run matching").click()
    pairs = page.get_by_role("region", name=re.compile(r"^Proposed pairs"))
    expect(
        pairs.get_by_role("heading", name=re.compile(r"^Proposed pairs \(\d+\)"))
    ).to_be_visible()
    table = pairs.get_by_role("table", name="Proposed pairs")
    expect(table.get_by_role("row")).to_have_count(26)  # a header and 25 pairs a page
    expect(pairs.get_by_role("navigation", name="Pages of pairs")).to_be_visible()
    # 110 pairs made a 22,000-pixel page; now 25 a page, reasons folded (about 3,600 px).
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, f"the proposal page is {height} px high"

    run = MatchingRun.objects.filter(programme=scenario.programme).latest("pk")
    match = run.result["matches"][11]
    mentee = User.objects.get(pk=user_id_of(match["mentee"])).name
    mentor = User.objects.get(pk=user_id_of(match["mentor"])).name
    search = page.get_by_role("search", name="Find and sort pairs")
    search.get_by_label("Find a person").fill(mentee)
    search.get_by_role("button", name="Apply").click()
    expect(table.get_by_role("row")).to_have_count(2)
    row = table.get_by_role("row").nth(1)
    expect(row).to_contain_text(mentee)
    expect(row).to_contain_text(mentor)
    expect(pairs.get_by_role("status")).to_contain_text("Showing 1 of 1 pair that match")

    # The reasons, one click away, speak about the pair.
    why = row.locator("details.why")
    expect(why.locator("li").first).to_be_hidden()
    why.locator("summary").click()
    expect(why.locator("li").first).to_be_visible()
    expect(why).not_to_contain_text("You both")

    # Lowest scores first, as a manager looks for the weak pairs.
    search.get_by_label("Find a person").fill("")
    search.get_by_label("Sort by").select_option(label="Score, lowest first")
    search.get_by_role("button", name="Apply").click()
    scores = [
        int(text.rstrip(" %")) for text in table.locator('td[data-label="Score"]').all_inner_texts()
    ]
    assert len(scores) == 25 and scores == sorted(scores)


@pytest.mark.django_db(transaction=True)
def test_the_availability_grid_opens_at_working_hours_and_the_calendar_address_is_copyable(
    browser: Browser, server: dict[str, Any]
) -> None:
    pair = _pair_in("Europe/Berlin")
    organisation = pair.programme.organisation
    page = browser.new_page(base_url=server["url"])
    _log_in(page, pair.mentor.email)
    page.goto(f"/o/{organisation.slug}/profile/")
    grid = page.locator(".availability-scroll")
    top, eight, header = grid.evaluate(
        """g => [g.scrollTop, g.querySelector('tr[data-time="08:00"]').offsetTop,
                 g.querySelector('thead').offsetHeight]"""
    )
    assert top > 0 and abs(eight - header - top) <= 2, "the grid does not open at 08:00"
    expect(page.get_by_label("Monday 08:00 to 08:30")).to_be_attached()

    # The private calendar address: made once, then shown and copyable every time.
    page.get_by_role("link", name="your private calendar address").click()
    page.get_by_role("button", name="Make my calendar address").click()
    address = page.get_by_role("textbox", name="Calendar address")
    expect(address).to_have_value(re.compile(r"/calendar/[^/]+\.ics$"))
    first = address.input_value()
    page.reload()
    expect(page.get_by_role("textbox", name="Calendar address")).to_have_value(first)
    page.get_by_role("button", name="Copy the calendar address").click()
    expect(page.get_by_role("status").filter(has_text="Copied.")).to_be_visible()
    page.get_by_role("button", name="Reset the calendar address").click()
    expect(page.get_by_role("textbox", name="Calendar address")).not_to_have_value(first)
    assert page.request.get(first).status == 404
