"""A group call of three through a Janus gateway started by the test, in the namespace
(tests/e2e/janus.py). Marked `webrtc`: scripts/test.sh runs it inside `unshare -n`."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from openmentor.video import services
from tests.conftest import make_tenant
from tests.e2e.janus import feeds_decoding, join_from_lobby, signed_in
from tests.messaging.conftest import new_participant

pytestmark = [pytest.mark.webrtc, pytest.mark.django_db(transaction=True)]


def test_three_pages_see_each_other_through_janus(browser: Browser, group_server: str) -> None:
    tenant = make_tenant("Acme")
    mentor = new_participant(tenant.organisation)
    mentees = [tenant.participant, new_participant(tenant.organisation)]
    room = services.room_group_create(
        organisation=tenant.organisation,
        title="Career circle",
        mentors=[mentor.user],
        mentees=[m.user for m in mentees],
    )
    path = f"/o/{tenant.organisation.slug}/calls/{room.pk}/"
    pages: list[Page] = []
    contexts: list[BrowserContext] = []
    try:
        for member in (mentor, *mentees):
            context, page = signed_in(browser, group_server, member)
            contexts.append(context)
            page.goto(path)
            join_from_lobby(page)
            pages.append(page)
        started = time.monotonic()
        for page in pages:
            expect(page.locator("#call-status")).to_have_attribute(
                "data-state", "connected", timeout=20_000
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if all(feeds_decoding(page) == 2 for page in pages):
                break
            time.sleep(0.3)
        assert [feeds_decoding(page) for page in pages] == [2, 2, 2]
        print(
            f"\nvideo: three pages decoding each other through Janus "
            f"{time.monotonic() - started:.2f} s after the last join"
        )
        for page in pages:
            names = [m.user.name for m in (mentor, *mentees)]
            for name in names:
                if page.locator(f'video[aria-label="Video of {name}"]').count():
                    expect(page.locator(f'video[aria-label="Video of {name}"]')).to_be_visible()
    finally:
        for context in contexts:
            context.close()
