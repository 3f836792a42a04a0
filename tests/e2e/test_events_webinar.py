"""Issue 16's "Done when" for events: a manager schedules a launch webinar in the browser;
two participants RSVP and get their invitations (.ics, read from the server's outbox); at
the event time they join its group room and see each other through Janus (the SFU);
the attendance shows on the event page.

Marked `webrtc` (it opens peer connections): scripts/test.sh runs it inside `unshare -n`.
Janus is started by `janus_url` from tests/e2e/janus.py (its LD_PRELOAD shim and
configuration are explained there); the server under test here also writes e-mails to an
outbox folder, which that module's server does not.
"""

from __future__ import annotations

import datetime as dt
import email.message
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from openmentor.events.models import ProgrammeEvent
from openmentor.organisations.models import Role
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import client_for, make_tenant
from tests.e2e.conftest import Outbox
from tests.e2e.janus import feeds_decoding as _feeds_decoding
from tests.e2e.test_profile import log_in
from tests.factories import make_member, make_programme
from tests.processes import web_server

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.webrtc, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def webinar_server(
    janus_url: str,
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any]]:
    """The web server under test, told where Janus is and where to write e-mails."""
    with django_db_blocker.unblock():
        db_name = str(connection.settings_dict["NAME"])
    mail_dir = tmp_path_factory.mktemp("webinar-outbox")
    log = tmp_path_factory.mktemp("webinar-server") / "uvicorn.log"
    extra = {"OPENMENTOR_EMAIL_DIR": str(mail_dir), "VIDEO_JANUS_URLS": janus_url}
    with web_server(db_name, log, **extra) as url:
        yield {"url": url, "outbox": Outbox(mail_dir)}


def _calendar_part(message: email.message.Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            return payload.decode() if isinstance(payload, bytes) else str(payload)
    return ""


def _signed_in(browser: Browser, url: str, member: Any) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=url)
    session = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": url}])
    page = context.new_page()
    page.on("pageerror", lambda error: print("page error:", error))
    return context, page


def test_a_launch_webinar_from_scheduling_to_attendance(
    browser: Browser, webinar_server: dict[str, Any]
) -> None:
    url, outbox = webinar_server["url"], webinar_server["outbox"]
    tenant = make_tenant("Acme")
    programme = make_programme(
        tenant.organisation, name="Spring cohort", status=Programme.Status.RUNNING
    )
    people = [tenant.participant, make_member(tenant.organisation, Role.PARTICIPANT)]
    for person in people:
        Enrolment.objects.create(programme=programme, user=person.user, role="mentee")
    contexts: list[BrowserContext] = []
    try:
        # The manager schedules it for a few minutes from now (their timezone is UTC):
        # the room opens 10 minutes before the start.
        manager_context = browser.new_context(base_url=url)
        contexts.append(manager_context)
        manager = manager_context.new_page()
        log_in(manager, tenant.manager.user.email)
        manager.goto(f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/")
        manager.get_by_role("link", name="Events").click()
        manager.get_by_role("link", name="Schedule an event").click()
        start = (timezone.now() + dt.timedelta(minutes=6)).astimezone(dt.UTC)
        manager.get_by_label("Kind of event").select_option(label="Launch webinar")
        manager.get_by_label("Title").fill("Spring launch webinar")
        manager.get_by_label("Description").fill("Meet the cohort and the programme team.")
        manager.get_by_label("Date").fill(start.date().isoformat())
        manager.get_by_label("Start time").fill(start.strftime("%H:%M"))
        manager.get_by_label("Duration (minutes)").fill("45")
        manager.get_by_label("Places").fill("10")
        manager.get_by_label("The programme's group video room").check()
        manager.get_by_role("button", name="Schedule event").click()
        expect(manager.get_by_role("heading", name="Spring launch webinar")).to_be_visible()
        event = ProgrammeEvent.objects.get()
        assert event.room_id is not None and event.kind == "launch"
        event_path = f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/events/{event.pk}/"

        # Two participants find it in the programme's events and say they are going.
        pages: list[Page] = []
        for person in people:
            context, page = _signed_in(browser, url, person)
            contexts.append(context)
            page.goto(f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/events/")
            page.get_by_role("link", name="Spring launch webinar").click()
            page.get_by_role("button", name="I'm going").click()
            expect(page.get_by_text("You answered: going.")).to_be_visible()
            pages.append(page)
        for person in people:
            deadline = time.monotonic() + 10
            while not outbox.to(person.user.email) and time.monotonic() < deadline:
                time.sleep(0.2)
            (invitation,) = outbox.to(person.user.email)
            assert invitation["Subject"] == "Invitation: Spring launch webinar"
            ics = _calendar_part(invitation)
            assert "METHOD:REQUEST" in ics and f"UID:{event.uid}" in ics
            assert "SUMMARY:Spring launch webinar (Spring cohort)" in ics

        # At the event time (the room is open) both join the group room and see each other.
        for page in pages:
            page.get_by_role("link", name="Join the group room").click()
            expect(page.locator("#check-signalling")).to_have_attribute(
                "data-state", "ok", timeout=10_000
            )
            expect(page.locator("#check-media")).to_have_attribute(
                "data-state", "ok", timeout=15_000
            )
            page.get_by_role("button", name="Join the call").click()
        for page in pages:
            expect(page.locator("#call-status")).to_have_attribute(
                "data-state", "connected", timeout=20_000
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if all(_feeds_decoding(page) == 1 for page in pages):
                break
            time.sleep(0.3)
        assert [_feeds_decoding(page) for page in pages] == [1, 1]
        for page, other in ((pages[0], people[1]), (pages[1], people[0])):
            expect(page.locator(f'video[aria-label="Video of {other.user.name}"]')).to_be_visible()

        # The manager's event page shows both as attended.
        manager.goto(event_path)
        attendance = manager.get_by_role("region", name="Attendance")
        expect(attendance.get_by_text("2 attended.")).to_be_visible()
        for person in people:
            expect(
                attendance.get_by_role("row", name=f"{person.user.name} yes yes")
            ).to_be_visible()
    finally:
        for context in contexts:
            context.close()
