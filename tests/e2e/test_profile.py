"""A participant fills in their profile in the browser and reaches a complete profile."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from playwright.sync_api import Browser, Page, expect

from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, ProgrammeFactory


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def drag(page: Page, start: str, end: str) -> None:
    """Presses the mouse on one grid cell and releases it on another."""
    first, last = page.get_by_label(start), page.get_by_label(end)
    # Both cells must be in the grid's visible part, which scrolls on its own.
    first.evaluate("cell => cell.scrollIntoView({block: 'center'})")
    a = first.bounding_box()
    assert a is not None
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    b = last.bounding_box()
    assert b is not None
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=12)
    page.mouse.up()


@pytest.mark.django_db(transaction=True)
def test_a_participant_completes_their_profile(browser: Browser, server: dict[str, Any]) -> None:
    organisation = cast(Organisation, OrganisationFactory(name="Fabrikam", slug="fabrikam"))
    me = cast(Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT))
    boss = cast(
        Membership,
        MembershipFactory(
            organisation=organisation,
            role=Role.MANAGER,
            user__first_name="Bea",
            user__last_name="Boss",
        ),
    )
    programme = cast(
        Programme, ProgrammeFactory(organisation=organisation, skills=["python", "leadership"])
    )
    for role in (Enrolment.Role.MENTOR, Enrolment.Role.MENTEE):
        Enrolment.objects.create(programme=programme, user=me.user, role=role)

    # The browser says it is in New York: the empty timezone field suggests that.
    context = browser.new_context(base_url=server["url"], timezone_id="America/New_York")
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    log_in(page, me.user.email)
    page.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    # Only the default capacity counts so far.
    expect(page.get_by_label("Your profile is 10% complete")).to_be_visible()
    expect(page.get_by_label("Your timezone")).to_have_value("America/New_York")
    expect(page.get_by_text("Suggested from your browser: America/New_York")).to_be_visible()

    page.get_by_label("Job title").fill("Support lead")
    page.get_by_label("Department").fill("Customer care")
    page.get_by_label("Your manager").select_option(label=f"Bea Boss ({boss.user.email})")
    page.get_by_label("Years of work experience").fill("7")
    page.get_by_label("Short bio").fill("Seven years of helping customers and teams.")
    page.get_by_label("Your goals").fill("Learn to run a larger team.")
    page.get_by_role("group", name="Skills you can offer as a mentor").get_by_label(
        "python"
    ).check()
    page.get_by_role("group", name="Skills you want to develop as a mentee").get_by_label(
        "leadership"
    ).check()
    page.get_by_label("English").check()
    page.get_by_label("Spanish").check()

    # Choose another timezone from the list of known names.
    timezone = page.get_by_label("Your timezone")
    list_id = timezone.get_attribute("list")
    expect(page.locator(f"datalist#{list_id} option[value='Asia/Kolkata']")).to_have_count(1)
    timezone.fill("Asia/Kolkata")

    # Availability: a click, then the keyboard (arrows move, Space ticks), then a drag.
    page.get_by_label("Tuesday 09:00 to 09:30").click()
    expect(page.get_by_label("Tuesday 09:00 to 09:30")).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Tuesday 09:30 to 10:00")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    expect(page.get_by_label("Wednesday 09:30 to 10:00")).to_be_checked()
    page.keyboard.press("Space")  # and untick it again
    expect(page.get_by_label("Wednesday 09:30 to 10:00")).not_to_be_checked()
    drag(page, "Thursday 14:00 to 14:30", "Thursday 15:00 to 15:30")
    for cell in ("14:00 to 14:30", "14:30 to 15:00", "15:00 to 15:30"):
        expect(page.get_by_label(f"Thursday {cell}")).to_be_checked()
    expect(page.get_by_label("Thursday 15:30 to 16:00")).not_to_be_checked()

    page.get_by_label("How many mentees you can take at once").fill("3")
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    meter = page.get_by_label("Your profile is 100% complete")
    expect(meter).to_have_attribute("value", "100")
    expect(page.get_by_text("Nothing is missing.")).to_be_visible()
    expect(page.get_by_label("Your timezone")).to_have_value("Asia/Kolkata")

    profile = Profile.objects.get(organisation=organisation, user=me.user)
    assert profile.completeness == 100
    assert profile.timezone == "Asia/Kolkata"
    assert profile.reports_to_id == boss.user_id
    assert profile.languages == ["en", "es"]
    assert profile.availability == [
        {"day": "tue", "start": "09:00", "end": "10:00"},
        {"day": "thu", "start": "14:00", "end": "15:30"},
    ]

    # A wrong timezone is refused at the field, keeping the rest of what was typed.
    page.get_by_label("Your timezone").fill("Asia/Atlantis")
    page.get_by_label("Job title").fill("Head of support")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("“Asia/Atlantis” is not a timezone we know.")).to_be_visible()
    expect(page.get_by_label("Job title")).to_have_value("Head of support")
    expect(page.get_by_label("Tuesday 09:00 to 09:30")).to_be_checked()
    profile.refresh_from_db()
    assert profile.job_title == "Support lead"
    # No script error and no Content-Security-Policy violation (the refused form's 400
    # status is the only resource the browser reports as failed).
    assert [e for e in console_errors if "status of 400" not in e] == []
    context.close()
