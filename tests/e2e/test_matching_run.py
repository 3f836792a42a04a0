"""Issue 6: the demo programme's manager runs matching, reviews, locks, forbids, re-runs and
publishes; a mentee and a mentor then see their mentorship with its "why"."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from openmentor.demo.seed import DEMO_PASSWORD, seed_demo
from openmentor.matching.models import MatchingPin, MatchingRun
from openmentor.matching.problem import user_id_of
from openmentor.mentorships.models import Mentorship

PROGRAMME = "/o/northwind/programmes/mentoring-2027"


def log_in(browser: Browser, server: dict[str, Any], email: str) -> Page:
    page = browser.new_context(base_url=server["url"]).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)
    return page


def pair_row(page: Page, index: int) -> tuple[Locator, tuple[int, int]]:
    """The index-th proposed pair's row and its (mentee, mentor) user ids."""
    pairs = page.get_by_role("region", name=re.compile(r"^Proposed pairs"))
    row = pairs.get_by_role("row").nth(index + 1)  # after the header row
    mentee = row.locator("input[name=mentee]").input_value()
    mentor = row.locator("input[name=mentor]").input_value()
    return row, (user_id_of(mentee), user_id_of(mentor))


def proposed_pairs(run: MatchingRun) -> set[tuple[int, int]]:
    return {(user_id_of(m["mentee"]), user_id_of(m["mentor"])) for m in run.result["matches"]}


@pytest.mark.django_db(transaction=True)
def test_manager_runs_reviews_and_publishes_matching(
    browser: Browser, server: dict[str, Any]
) -> None:
    seed_demo()
    manager = log_in(browser, server, "manager@northwind.example")
    manager.goto(PROGRAMME + "/")
    manager.get_by_role("link", name="Matching").click()

    started = time.monotonic()
    manager.get_by_role("button", name="Run matching").click()
    expect(
        manager.get_by_role("heading", name=re.compile(r"^Proposed pairs \(\d+\)"))
    ).to_be_visible()
    click_to_proposal_s = time.monotonic() - started
    assert click_to_proposal_s < 10, f"click to proposal took {click_to_proposal_s:.1f} s"

    # Reasons in plain words, totals, the unmatched with why, and the fairness audit.
    expect(manager.get_by_text("of the best possible")).to_be_visible()
    # Each pair's first reason shows; the rest are one click away.
    expect(manager.locator("details.why summary").first).to_be_visible()
    expect(manager.get_by_role("heading", name="Fairness audit")).to_be_visible()
    expect(manager.get_by_role("heading", name="By gender")).to_be_visible()
    expect(manager.get_by_text("The four-fifths rule:")).to_be_visible()
    first_run = MatchingRun.objects.get()
    assert first_run.status == "done"

    # Lock one pair, forbid another.
    row, locked = pair_row(manager, 0)
    row.get_by_role("button", name=re.compile(r"^Lock")).click()
    expect(manager.get_by_text("Locked").first).to_be_visible()
    row, forbidden = pair_row(manager, 1)
    if forbidden == locked:
        row, forbidden = pair_row(manager, 2)
    row.get_by_role("button", name=re.compile(r"^Forbid")).click()
    pins = dict(MatchingPin.objects.values_list("kind", "mentee_id"))
    assert pins == {"lock": locked[0], "forbid": forbidden[0]}

    # Re-run: the lock is kept, the forbidden pair is gone.
    manager.get_by_role("button", name="Re-run matching (keeps locks and forbids)").click()
    expect(manager.get_by_role("heading", name=re.compile(r"^Proposed pairs"))).to_be_visible()
    second_run = MatchingRun.objects.order_by("-pk").first()
    assert second_run is not None and second_run.pk != first_run.pk
    assert second_run.status == "done"
    assert locked in proposed_pairs(second_run)
    assert forbidden not in proposed_pairs(second_run)

    # Publish.
    manager.get_by_role("link", name="Publish…").click()
    expect(manager.get_by_role("heading", name="Publish the proposal")).to_be_visible()
    manager.get_by_role("button", name=re.compile(r"^Publish \d+ mentorships")).click()
    second_run.refresh_from_db()
    assert second_run.status == "published"
    pairs = proposed_pairs(second_run)
    assert Mentorship.objects.filter(
        source="matching", programme__slug="mentoring-2027"
    ).count() == len(pairs)

    # A mentee and their mentor see the new mentorship with its "why".
    mentorship = Mentorship.objects.get(mentee_id=locked[0], mentor_id=locked[1])
    for user in (mentorship.mentee, mentorship.mentor):
        page = log_in(browser, server, user.email)
        page.get_by_role(
            "link",
            name=mentorship.mentor.name if user == mentorship.mentee else mentorship.mentee.name,
        ).first.click()
        expect(page.get_by_role("heading", name="Why this match")).to_be_visible()
        expect(page.locator("ul.why li").first).to_be_visible()
        page.context.close()
