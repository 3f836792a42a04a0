"""A manager pairs two people by hand; they agree, work on a goal, and one ends it kindly."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from openmentor.mentorships.models import EndingReflection, Mentorship, RematchRequest
from tests.conftest import make_tenant
from tests.factories import PASSWORD
from tests.scenarios import enrolling_programme


def log_in(browser: Browser, server: dict[str, Any], email: str) -> Page:
    page = browser.new_context(base_url=server["url"]).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)
    return page


def accept_agreement(page: Page, hopes: str) -> None:
    page.get_by_label("What do you hope for from this mentorship?").fill(hopes)
    page.get_by_label("I will keep what we share in our conversations confidential.").check()
    page.get_by_role("button", name="Accept the agreement").click()


@pytest.mark.django_db(transaction=True)
def test_manager_pairs_they_agree_reach_a_goal_and_one_ends_it_kindly(
    browser: Browser, server: dict[str, Any]
) -> None:
    tenant = make_tenant("Fabrikam")
    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=1)
    mentor, mentee = scenario.mentors[0].user, scenario.mentees[0].user
    slug, programme_slug = tenant.organisation.slug, scenario.programme.slug

    manager = log_in(browser, server, tenant.manager.user.email)
    manager.goto(f"/o/{slug}/programmes/{programme_slug}/mentorships/new/")
    manager.get_by_role("button", name="Create mentorship").click()
    expect(manager.get_by_text("Choose a mentor.")).to_be_visible()
    manager.get_by_label(re.compile(r"^Mentor\b")).select_option(
        label=f"{mentor.name} ({mentor.email})"
    )
    manager.get_by_label(re.compile(r"^Mentee\b")).select_option(
        label=f"{mentee.name} ({mentee.email})"
    )
    manager.get_by_role("button", name="Create mentorship").click()
    expect(manager.get_by_text("Mentorship proposed")).to_be_visible()

    link = server["outbox"].link_for(mentee.email, "/mentorships/")
    mentee_page = log_in(browser, server, mentee.email)
    mentee_page.goto(link)
    expect(
        mentee_page.get_by_role("heading", name=f"Your mentorship with {mentor.name}")
    ).to_be_visible()
    mentee_page.get_by_role("button", name="Accept the agreement").click()  # empty: refused
    expect(
        mentee_page.get_by_text("Write a sentence or two about what you hope for.")
    ).to_be_visible()
    accept_agreement(mentee_page, "Learn to lead a small team")
    expect(mentee_page.get_by_text(f"We are waiting for {mentor.name}")).to_be_visible()

    mentor_page = log_in(browser, server, mentor.email)
    mentor_page.goto(server["outbox"].link_for(mentor.email, "/mentorships/"))
    accept_agreement(mentor_page, "Share what I learned the hard way")
    expect(mentor_page.get_by_text("your mentorship has started")).to_be_visible()
    expect(mentor_page.get_by_text("Learn to lead a small team")).to_be_visible()
    expect(mentor_page.get_by_text("Conversation starters")).to_be_visible()

    # A goal, then its completion celebrated.
    mentor_page.get_by_label(re.compile(r"^Goal\b")).fill("Run a team retrospective")
    mentor_page.get_by_role("button", name="Add goal").click()
    mentee_page.reload()
    mentee_page.get_by_role("link", name="Update “Run a team retrospective”").click()
    mentee_page.get_by_label("Progress (%)").fill("100")
    mentee_page.get_by_role("button", name="Save goal").click()
    expect(mentee_page.get_by_text("🎉 Goal reached: Run a team retrospective!")).to_be_visible()

    # A private note stays private.
    mentee_page.get_by_label(re.compile(r"^Note\b")).fill("I am nervous about feedback")
    mentee_page.get_by_label("Private: only me").check()
    mentee_page.get_by_role("button", name="Save note").click()
    expect(mentee_page.get_by_text("only you can see it")).to_be_visible()
    mentor_page.reload()
    expect(mentor_page.get_by_text("I am nervous about feedback")).to_have_count(0)

    # Ending, kindly, with a request for a new match.
    mentee_page.get_by_role("link", name="End the mentorship").click()
    expect(mentee_page.get_by_text("ending one is not a judgement of anyone").first).to_be_visible()
    mentee_page.get_by_role("group", name="What is the main reason?").get_by_label(
        "Our schedules did not fit"
    ).check()
    mentee_page.get_by_label("A private reflection (optional)").fill("I should have said more")
    mentee_page.get_by_label("Find me a new mentor").check()
    mentee_page.get_by_role("button", name="End the mentorship").click()
    expect(mentee_page.get_by_text("Your mentorship has ended.")).to_be_visible()
    expect(mentee_page.get_by_text("I should have said more")).to_be_visible()

    ended = Mentorship.objects.get()
    assert ended.status == "ended" and ended.end_reason == "schedule"
    assert EndingReflection.objects.get().author == mentee
    notice = [m for m in server["outbox"].to(mentor.email) if "has ended" in (m["Subject"] or "")]
    assert notice, "the mentor is told, kindly"

    manager.goto(f"/o/{slug}/programmes/{programme_slug}/rematches/")
    card = manager.get_by_role("region", name=re.compile(mentee.name))
    expect(card).to_be_visible()
    options = card.get_by_label("New partner").locator("option").all_inner_texts()
    assert not any(mentor.email in o for o in options)
    card.get_by_label("New partner").select_option(index=1)
    card.get_by_role("button", name="Propose this mentor").click()
    expect(manager.get_by_text(f"New mentorship proposed for {mentee.name}")).to_be_visible()
    assert RematchRequest.objects.get().status == "resolved"
    expect(manager.get_by_text("I should have said more")).to_have_count(0)
