"""A manager builds a programme with a questionnaire, invites two people, and approves them."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from playwright.sync_api import Browser, Page, expect

from openmentor.organisations.models import Membership, Role
from openmentor.programmes.models import Enrolment, Programme

PASSWORD = "Blue-Harbour-Kite-42"
PROGRAMME = "Spring cohort"
NAMES = {"mentor@example.org": "Maya Mentor", "mentee@example.org": "Theo Mentee"}


def sign_up(page: Page, server: dict[str, Any], address: str, name: str = "") -> None:
    page.get_by_label("Your name").fill(name or address.split("@")[0].title())
    page.get_by_label("Email").first.fill(address)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    page.goto(server["outbox"].link_for(address, "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()


def add_question(page: Page, fields: dict[str, str], checks: list[str]) -> None:
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label(re.compile(r"^Question\b")).fill(fields["text"])
    page.get_by_label("Kind of answer").select_option(label=fields["kind"])
    if "choices" in fields:
        page.get_by_label("Answers to choose from").fill(fields["choices"])
    if "weight" in fields:
        page.get_by_label("Weight in matching").fill(fields["weight"])
    for label in checks:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("The question is saved.")).to_be_visible()


def enrol(page: Page, role_label: str, track: str, confidence: str) -> None:
    if not page.get_by_role("heading", name=f"Enrol in {PROGRAMME}").is_visible():
        # Until the invitation's accept view redirects to the enrol page, go through the
        # programmes list as a member would.
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Programmes").click()
        page.get_by_role("link", name=PROGRAMME).click()
        page.get_by_role("link", name="Enrol", exact=True).click()
    expect(page.get_by_role("heading", name=f"Enrol in {PROGRAMME}")).to_be_visible()
    page.get_by_role("button", name="Enrol", exact=True).click()  # nothing chosen: refused
    expect(page.get_by_text("Answer this question.")).to_be_visible()
    expect(page.get_by_text("Accept the agreement to join.")).to_be_visible()
    page.get_by_role("radio", name=role_label).check()
    page.get_by_role("group", name=re.compile("^Which track")).get_by_label(track).check()
    page.get_by_role("group", name=re.compile("^How confident")).get_by_label(
        confidence, exact=True
    ).check()
    page.get_by_label("I accept the mentoring agreement").check()
    page.get_by_role("button", name="Enrol", exact=True).click()
    expect(page.get_by_text("A programme manager will review your enrolment")).to_be_visible()
    expect(page.get_by_text("Done: Answer the questionnaire")).to_be_attached()


def complete_profile(page: Page, role: str) -> None:
    """Fills in what the meter asks for, as a person would, until it reads 100 %."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My profile").click()
    page.get_by_label("Job title").fill("Engineer")
    page.get_by_label("Department").fill("Platform")
    page.get_by_label("Years of work experience").fill("12" if role == "mentor" else "2")
    page.get_by_label("English").check()
    page.get_by_label("Your timezone").fill("Europe/Lisbon")
    page.get_by_label("Tuesday 09:00 to 09:30").check()
    page.get_by_label("Tuesday 09:30 to 10:00").check()
    if role == "mentor":
        page.get_by_label("Short bio").fill("Ten years building Python services.")
        page.get_by_role("group", name="Skills you can offer as a mentor").get_by_label(
            "python", exact=True
        ).check()
        page.get_by_label("How many mentees you can take at once").fill("2")
    else:
        page.get_by_label("Your goals").fill("Lead my first project.")
        page.get_by_role("group", name="Skills you want to develop as a mentee").get_by_label(
            "leadership", exact=True
        ).check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_label("Your profile is 100% complete")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_manager_builds_a_programme_invites_two_people_and_approves_them(
    browser: Browser, server: dict[str, Any]
) -> None:
    from tests.factories import PASSWORD as FACTORY_PASSWORD
    from tests.factories import MembershipFactory

    manager = cast(
        Membership,
        MembershipFactory(
            role=Role.MANAGER, organisation__name="Contoso", organisation__slug="contoso"
        ),
    )
    base = server["url"]
    page = browser.new_page(base_url=base)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(manager.user.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Manager dashboard")).to_be_visible()

    # Create the programme.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name="Create a programme").click()
    page.get_by_role("button", name="Create programme").click()  # empty: refused at the field
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    page.get_by_label(re.compile(r"^Name\b")).fill(PROGRAMME)
    page.get_by_label("Starts on").fill("2027-03-01")
    page.get_by_label("Ends on").fill("2027-06-01")
    page.get_by_label("Skills and topics").fill("python: django\nleadership")
    page.get_by_label("A manager approves each enrolment").check()
    page.get_by_label("Mentoring agreement").fill("We meet every two weeks and keep it private.")
    page.get_by_label("Welcome message").fill("Welcome to the spring cohort!")
    page.get_by_role("button", name="Create programme").click()
    expect(page.get_by_role("heading", name=PROGRAMME)).to_be_visible()

    # Its questionnaire.
    page.get_by_role("link", name="Questionnaire").click()
    add_question(
        page,
        {"text": "Which track?", "kind": "Single choice", "choices": "Leadership\nEngineering"},
        ["An answer is required"],
    )
    add_question(
        page,
        {"text": "How confident are you?", "kind": "Scale 1–5", "weight": "2"},
        ["Use the answers in matching"],
    )
    expect(page.get_by_role("button", name="Move up: How confident are you?")).to_be_visible()
    page.get_by_role("link", name=f"← {PROGRAMME}").click()
    page.get_by_role("button", name="Open enrolment").click()
    expect(page.get_by_text(f"{PROGRAMME} is now enrolling.")).to_be_visible()

    # Invite two people at once.
    page.get_by_label("E-mail addresses").fill("mentor@example.org\nmentee@example.org")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("Invitation sent to 2")).to_be_visible()

    for address, role_label, track in (
        ("mentor@example.org", "Mentor — I want to mentor someone", "Engineering"),
        ("mentee@example.org", "Mentee — I want a mentor", "Leadership"),
    ):
        link = server["outbox"].link_for(address, "/invitations/")
        context = browser.new_context(base_url=base)
        invitee = context.new_page()
        invitee.goto(link)
        invitee.get_by_role("main").get_by_role("link", name="Sign up").click()
        sign_up(invitee, server, address, name=NAMES[address])
        expect(invitee.get_by_role("heading", name="Join Contoso")).to_be_visible()
        invitee.get_by_role("button", name="Accept invitation").click()
        enrol(invitee, role_label, track, "4")
        complete_profile(invitee, "mentor" if address.startswith("mentor") else "mentee")
        context.close()

    # The manager approves both.
    page.reload()
    page.get_by_role("link", name="Approvals (2)").click()
    # Named as they gave their names at sign-up, not as bare addresses.
    page.get_by_role("button", name="Approve Maya Mentor as mentor").click()
    expect(page.get_by_text("Maya Mentor (mentor) is approved")).to_be_visible()
    page.get_by_role("button", name="Approve Theo Mentee as mentee").click()
    expect(page.get_by_text("Theo Mentee (mentee) is approved")).to_be_visible()
    expect(page.get_by_text("Nobody is waiting for approval.")).to_be_visible()

    for address in ("mentor@example.org", "mentee@example.org"):
        subjects = [m["Subject"] for m in server["outbox"].to(address)]
        assert f"You are in: {PROGRAMME}" in subjects, subjects
    # Both appear as complete profiles in the participants list.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name=PROGRAMME).click()
    page.get_by_role("link", name="Participants", exact=True).click()
    page.get_by_label("Profile").select_option(label="Complete")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("2 participants")).to_be_visible()
    for address in ("mentor@example.org", "mentee@example.org"):
        row = page.get_by_role("row", name=re.compile(re.escape(address)))
        expect(row.get_by_text("Complete")).to_be_visible()
        expect(row.get_by_text("Active")).to_be_visible()

    enrolments = {
        e.user.email: e
        for e in Enrolment.objects.select_related("user").prefetch_related("answers")
    }
    assert enrolments["mentor@example.org"].role == "mentor"
    assert enrolments["mentee@example.org"].role == "mentee"
    for e in enrolments.values():
        assert e.status == "active" and e.agreement_accepted_at is not None
        assert e.source == "invitation"
        assert sorted(str(a.value) for a in e.answers.all())[0] == "4"


@pytest.mark.django_db(transaction=True)
def test_a_newcomer_joins_through_an_ambassadors_link(
    browser: Browser, server: dict[str, Any]
) -> None:
    from openmentor.programmes.models import Ambassador
    from tests.factories import MembershipFactory, ProgrammeFactory

    champion = cast(
        Membership,
        MembershipFactory(organisation__name="Fabrikam", organisation__slug="fabrikam"),
    )
    programme = cast(
        Programme,
        ProgrammeFactory(
            organisation=champion.organisation,
            name="Open doors",
            status="enrolling",
            join_token="join-secret-123",
        ),
    )
    ambassador = Ambassador.objects.create(
        programme=programme, user=champion.user, link_token="amb-xyz"
    )
    page = browser.new_page(base_url=server["url"])
    page.goto("/join/forged-token/")
    expect(page.get_by_text("This link is not valid")).to_be_visible()

    page.goto("/join/join-secret-123/?via=amb-xyz")
    expect(page.get_by_role("heading", name="Join Open doors")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    sign_up(page, server, "walkin@example.org")
    # Back at the link after verification: joining the organisation needs a click.
    page.get_by_role("button", name="Join Fabrikam").click()
    expect(page.get_by_text("Welcome to Fabrikam.")).to_be_visible()
    page.get_by_role("radio", name="Mentee — I want a mentor").check()
    page.get_by_role("button", name="Enrol", exact=True).click()
    expect(page.get_by_text("You are enrolled in Open doors.")).to_be_visible()
    enrolment = Enrolment.objects.get(user__email="walkin@example.org")
    assert (enrolment.source, enrolment.ambassador_id) == ("ambassador", ambassador.pk)
    assert enrolment.user.memberships.get().role == Role.PARTICIPANT
