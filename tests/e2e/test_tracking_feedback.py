"""Done-when browser test: after their first meeting a mentee answers the pairing fit with
"not working" and is offered the no-fault ending; the manager sees the alert; a rating
given from the e-mail's one-click link shows in the programme's aggregate."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from openmentor.feedback.models import MeetingFeedback
from openmentor.feedback.surveys.services import meeting_feedback_request, meeting_feedback_submit
from openmentor.tracking.services.outcomes import meetings_settle
from openmentor.video.models import Presence, Room
from tests.conftest import make_tenant
from tests.factories import PASSWORD, MeetingFactory
from tests.scenarios import active_mentorship


def log_in(browser: Browser, server: dict[str, Any], email: str) -> Page:
    page = browser.new_context(base_url=server["url"]).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)
    return page


@pytest.mark.django_db(transaction=True)
def test_not_working_is_heard_and_a_one_click_rating_counts(
    browser: Browser, server: dict[str, Any]
) -> None:
    tenant = make_tenant("Tailspin")
    pair = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=1)
    programme = pair.programme
    # Four ratings from other pairs: one more and the average may be shown.
    for _ in range(4):
        other = active_mentorship(tenant.organisation, programme=programme, weeks_old=1)
        meeting = MeetingFactory(
            mentorship=other, starts_at=timezone.now() - dt.timedelta(days=2), status="accepted"
        )
        meeting_feedback_request(meeting=meeting, ask_happened=False, now=timezone.now())
        meeting_feedback_submit(
            feedback=MeetingFeedback.objects.get(meeting=meeting, author=other.mentee),
            author=other.mentee,
            rating=3,
            now=timezone.now(),
        )
    # Their first meeting, held in the built-in call: both there for 25 minutes.
    start = timezone.now() - dt.timedelta(hours=2)
    meeting = MeetingFactory(mentorship=pair, starts_at=start, status="accepted")
    room = Room.objects.create(
        organisation=tenant.organisation, kind="meeting", meeting=meeting, mentorship=pair
    )
    for n, user in enumerate((pair.mentor, pair.mentee)):
        Presence.objects.create(
            room=room,
            user=user,
            client_id=f"tab{n}",
            joined_at=start,
            media_since=start,
            confirmed_until=start + dt.timedelta(minutes=25),
            left_at=start + dt.timedelta(minutes=25),
        )
    mail.outbox.clear()
    meetings_settle(now=timezone.now())

    # The mentor rates the meeting from the e-mail: one click on "5".
    rating_mail = next(m for m in mail.outbox if m.to == [pair.mentor.email] and "/r/" in m.body)
    five = re.findall(r"(/r/[^\s]+/)", rating_mail.body)[4]
    visitor = browser.new_context(base_url=server["url"]).new_page()
    visitor.goto(five)
    expect(visitor.get_by_text("Thank you: you rated this meeting 5 out of 5.")).to_be_visible()
    visitor.goto(five)
    expect(
        visitor.get_by_text("Your answer was already recorded; nothing changed.")
    ).to_be_visible()

    # The mentee finds the pairing fit in their notifications and says it is not working.
    mentee = log_in(browser, server, pair.mentee.email)
    mentee.goto(f"/o/{tenant.organisation.slug}/")
    mentee.get_by_role("link", name=re.compile(r"^Notifications \d+ unread")).click()
    mentee.get_by_role("link", name=re.compile("does the match work")).click()
    expect(mentee.get_by_role("heading", name="How is your match working?")).to_be_visible()
    mentee.get_by_role("button", name="Send my answers").click()
    expect(mentee.get_by_text("Answer yes or no.")).to_be_visible()
    mentee.get_by_role("group", name="Do you feel comfortable with your partner?").get_by_label(
        "No"
    ).check()
    mentee.get_by_label("No, it is not working").check()
    mentee.get_by_label("A private comment (optional)").fill("We never click")
    mentee.get_by_role("button", name="Send my answers").click()
    expect(mentee.get_by_text("We have let the programme team know")).to_be_visible()
    mentee.get_by_role("link", name="End it without blame and ask for a new match").click()
    expect(mentee.get_by_role("button", name=re.compile("End"))).to_be_visible()

    # The manager sees the alert and the aggregate (now five ratings), never the comment.
    manager = log_in(browser, server, tenant.manager.user.email)
    manager.goto(f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/health/")
    alerts = manager.get_by_role("region", name="Alerts")
    expect(alerts).to_contain_text(
        f"{pair.mentee.name} (mentee) says the match with {pair.mentor.name} is not working."
    )
    expect(
        manager.get_by_text("Meetings rated 3.4 out of 5 on average, from 5 ratings.")
    ).to_be_visible()
    at_risk = manager.get_by_role("region", name="At risk")
    expect(at_risk).to_contain_text("mentee said the match is not working")
    expect(manager.get_by_text("We never click")).to_have_count(0)
