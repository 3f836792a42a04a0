"""A mentor and a mentee talk on the conversation page; messages appear without a reload."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect

from openmentor.messaging.selectors import unread_counts
from openmentor.organisations.models import Membership
from tests.conftest import client_for, make_tenant
from tests.scenarios import active_mentorship


def open_as(browser: Browser, server: dict[str, Any], member: Membership, path: str) -> Page:
    """A browser of the member's own, logged in with a session made by Django's test client."""
    context: BrowserContext = browser.new_context(base_url=server["url"])
    session = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server["url"]}]
    )
    page = context.new_page()
    page.goto(path)
    # The module marks the log once its websocket is open.
    expect(page.get_by_role("log")).to_have_attribute("data-live", "on")
    page.evaluate("window.notReloaded = true")
    return page


def send(page: Page, text: str) -> None:
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Send").click()


@pytest.mark.django_db(transaction=True)
def test_messages_appear_live_on_the_partners_page(
    browser: Browser, server: dict[str, Any]
) -> None:
    tenant = make_tenant("Acme")
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    mentor_member = Membership.objects.get(organisation=tenant.organisation, user=mentorship.mentor)
    path = f"/o/{tenant.organisation.slug}/mentorships/{mentorship.pk}/messages/"
    mentor = open_as(browser, server, mentor_member, path)
    mentee = open_as(browser, server, tenant.participant, path)
    expect(mentee.get_by_text("No messages yet.")).to_be_visible()

    send(mentor, "Shall we meet on Tuesday?\nI have an idea for your first goal.")
    expect(mentee.get_by_role("log").get_by_text("Shall we meet on Tuesday?")).to_be_visible()
    expect(mentee.get_by_text("No messages yet.")).to_have_count(0)
    # The sender sees their own message as stored, and the box is emptied for the next.
    expect(mentor.get_by_role("log").get_by_text("Shall we meet on Tuesday?")).to_be_visible()
    expect(mentor.get_by_label("Message", exact=True)).to_have_value("")

    send(mentee, "Tuesday works. See you then!")
    expect(mentor.get_by_role("log").get_by_text("Tuesday works. See you then!")).to_be_visible()
    expect(mentor.get_by_role("log").get_by_text(tenant.participant.user.name)).to_be_visible()

    # Bad input over the socket: a clear message at the field, what was typed kept.
    send(mentee, " ")
    expect(mentee.get_by_role("alert")).to_contain_text("Write a message")
    long_text = "x" * 5001
    send(mentee, long_text)
    expect(mentee.get_by_role("alert")).to_contain_text("at most 5,000 characters")
    expect(mentee.get_by_label("Message", exact=True)).to_have_value(long_text)

    # Neither page reloaded; both read what arrived while they were open.
    assert mentor.evaluate("window.notReloaded") is True
    assert mentee.evaluate("window.notReloaded") is True
    deadline = time.monotonic() + 5
    while unread_counts(membership=tenant.participant) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert unread_counts(membership=tenant.participant) == {}
    assert unread_counts(membership=mentor_member) == {}
    assert mentorship.messages.count() == 2
    mentor.context.close()
    mentee.context.close()
