"""Mentee choice in the browser: a mentee asks two mentors at once, one declines and the
request moves on to the third choice, the other does not answer in time (a frozen clock on
the shared database) and it moves on to the fourth, who accepts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from freezegun import freeze_time
from playwright.sync_api import Browser, Page, expect

from openmentor.matching.choice.tasks import request_expiry
from openmentor.matching.models import MentorRequest
from openmentor.mentorships.models import Mentorship
from tests.conftest import make_tenant
from tests.factories import PASSWORD
from tests.matching_choice.conftest import choice_programme


def log_in(browser: Browser, server: dict[str, Any], email: str) -> Page:
    page = browser.new_context(base_url=server["url"]).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)
    return page


def status_of(mentor_id: int) -> str:
    return MentorRequest.objects.get(mentor_id=mentor_id).status


@pytest.mark.django_db(transaction=True)
def test_mentee_choice_cascades_through_a_decline_and_a_timeout(
    browser: Browser, server: dict[str, Any]
) -> None:
    tenant = make_tenant("Contoso")
    scenario = choice_programme(tenant, mentors=4, mentees=1, max_open_requests=2)
    mentee = scenario.mentees[0].user
    a, b, c, d = (e.user for e in scenario.mentors)
    base = f"/o/{tenant.organisation.slug}/programmes/{scenario.programme.slug}"

    mentee_page = log_in(browser, server, mentee.email)
    mentee_page.goto(f"{base}/choose/")
    expect(mentee_page.get_by_role("heading", name="Recommended for you")).to_be_visible()
    expect(mentee_page.get_by_text("Popular mentors are shared fairly")).to_be_visible()
    expect(mentee_page.get_by_role("heading", name="Why this match").first).to_be_visible()
    mentee_page.get_by_role("button", name="Send requests").click()  # nothing chosen: refused
    expect(mentee_page.get_by_text("Choose at least one mentor.")).to_be_visible()
    for rank, mentor in zip(("1st", "2nd", "3rd", "4th"), (a, b, c, d), strict=True):
        mentee_page.get_by_label(f"{rank} choice").select_option(label=mentor.name)
    mentee_page.get_by_label("A message for the mentors you ask (optional)").fill(
        "I would like to learn to lead a small team."
    )
    mentee_page.get_by_role("button", name="Send requests").click()
    expect(mentee_page.get_by_text(f"Your request went to {a.name} and {b.name}")).to_be_visible()
    assert [status_of(m.pk) for m in (a, b, c, d)] == ["pending", "pending", "queued", "queued"]

    # The first choice declines in their own browser: the third choice is asked.
    server["outbox"].link_for(a.email, "/requests/")
    mentor_a = log_in(browser, server, a.email)
    mentor_a.goto(f"{base}/requests/")
    expect(mentor_a.get_by_text("I would like to learn to lead a small team.")).to_be_visible()
    mentor_a.get_by_role("button", name=f"Decline {mentee.name}'s request").click()
    expect(mentor_a.get_by_text("we have let them know kindly")).to_be_visible()
    assert [status_of(m.pk) for m in (a, b, c, d)] == ["declined", "pending", "pending", "queued"]
    server["outbox"].link_for(c.email, "/requests/")

    # The second choice never answers: past the deadline the expiry job (run here, on a
    # frozen clock, against the server's database) moves the request to the fourth choice.
    deadline = MentorRequest.objects.get(mentor=b).expires_at
    assert deadline is not None
    with freeze_time(deadline - dt.timedelta(minutes=1)):
        assert request_expiry(dt.datetime.now(dt.UTC)) == 0
    with freeze_time(deadline):
        assert request_expiry(dt.datetime.now(dt.UTC)) == 1
        assert request_expiry(dt.datetime.now(dt.UTC)) == 0
    assert [status_of(m.pk) for m in (a, b, c, d)] == ["declined", "expired", "pending", "pending"]
    assert any(d.email in m.to for m in mail.outbox)

    mentee_page.reload()
    rows = mentee_page.get_by_role("row")
    expect(rows.filter(has_text=b.name)).to_contain_text("No answer in time")
    expect(rows.filter(has_text=d.name)).to_contain_text("Waiting for an answer")

    # The fourth choice accepts; the third's request is withdrawn.
    mentor_d = log_in(browser, server, d.email)
    mentor_d.goto(f"{base}/requests/")
    mentor_d.get_by_role("button", name=f"Accept {mentee.name}'s request").click()
    expect(mentor_d.get_by_text(f"You said yes to {mentee.name}")).to_be_visible()
    expect(mentor_d.get_by_role("link", name=f"Your mentorship with {mentee.name}")).to_be_visible()
    assert Mentorship.objects.get().mentor == d
    assert status_of(c.pk) == "withdrawn"

    mentee_page.reload()
    mentee_page.get_by_role("link", name=f"Your mentorship with {d.name}").click()
    expect(
        mentee_page.get_by_role("heading", name=f"Your mentorship with {d.name}")
    ).to_be_visible()
