"""Where a meeting happens: a video link or a place, checked, shown, sent to calendars,
and the participant's Join button that opens the call."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from openmentor.meetings.location import location_clean, location_link
from openmentor.meetings.models import AgendaItem, Meeting
from openmentor.mentorships.models import Mentorship
from tests.conftest import Tenant, client_for
from tests.meetings.helpers import event_of, invitations, make_meeting
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2025, 3, 3, 12, tzinfo=UTC)
CALL = "https://meet.example.org/abc-defg-hij?pwd=1&x=2"
Capture = Callable[..., Any]


@pytest.fixture
def pair(tenant: Tenant) -> Mentorship:
    return active_mentorship(tenant.organisation, mentee=tenant.participant)


def _url(name: str, pair: Mentorship, meeting: Meeting | None = None) -> str:
    kwargs: dict[str, Any] = {"slug": pair.programme.organisation.slug, "mentorship_id": pair.pk}
    if meeting is not None:
        kwargs["meeting_id"] = meeting.pk
    return reverse(name, kwargs=kwargs)


def _propose(client: Client, pair: Mentorship, location: str) -> Any:
    with freeze_time(NOW):
        return client.post(
            _url("meeting_propose", pair),
            {"date": "2025-03-05", "time": "10:00", "duration_minutes": "30", "location": location},
        )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (CALL, CALL),
        ("  Room 4,   second floor ", "Room 4, second floor"),
        ("Phone: +44 20 7946 0000", "Phone: +44 20 7946 0000"),
        ("Café: the one by the station", "Café: the one by the station"),
        ("HTTPS://Meet.Example.org/x", "HTTPS://Meet.Example.org/x"),
        ("", ""),
    ],
)
def test_links_and_places_are_kept(typed: str, stored: str) -> None:
    assert location_clean(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "tel:+442079460000",
        "ftp://files.example.org/x",
        "https://",
        "https://meet example.org/x",
        "x" * 501,
    ],
)
def test_other_schemes_broken_links_and_long_text_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as error:
        location_clean(typed)
    assert list(error.value.message_dict) == ["location"]


def test_only_web_links_become_links() -> None:
    assert location_link(CALL) == CALL
    assert location_link("Room 4") == ""
    assert location_link("javascript:alert(1)") == ""


def test_propose_with_a_video_link_shows_it_and_sends_it_to_calendars(
    tenant: Tenant, pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    client = client_for(tenant.participant)
    page = client.get(_url("meeting_propose", pair))
    assert 'for="id_location">Where (video link or place)</label>' in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = _propose(client, pair, CALL)
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.location == CALL
    for person in (pair.mentor, pair.mentee):
        event = event_of(invitations(person.email)[0])
        assert str(event["LOCATION"]) == CALL
        assert str(event["URL"]) == CALL
        assert CALL in str(event["DESCRIPTION"])
    assert any(f"Where: {CALL}" in m.body for m in mail.outbox)
    # A fresh session: the frozen clock made the first one expire.
    detail = client_for(tenant.participant).get(_url("meeting_detail", pair, meeting)).text
    link = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener noreferrer">', detail)
    assert link is not None and link.group(1) == CALL.replace("&", "&amp;")


def test_a_place_is_shown_as_text_and_a_meeting_without_one_says_so(
    tenant: Tenant, pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    client = client_for(tenant.participant)
    with django_capture_on_commit_callbacks(execute=True):
        _propose(client, pair, "Room 4, second floor")
    meeting = Meeting.objects.get()
    client = client_for(tenant.participant)
    detail = client.get(_url("meeting_detail", pair, meeting)).text
    assert "Room 4, second floor" in detail and "noopener" not in detail
    event = event_of(invitations(pair.mentor.email)[0])
    assert str(event["LOCATION"]) == "Room 4, second floor"
    assert "/meetings/" in str(event["URL"])  # the meeting page, as before
    bare = make_meeting(pair, timezone.now() + dt.timedelta(days=9))
    page = client.get(_url("meeting_detail", pair, bare)).text
    assert "No video link or place yet." in page
    # OpenMentor's own call is offered instead (its room opens 10 minutes before).
    assert "meet in OpenMentor’s own video call" in page
    assert "The call room opens at" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("javascript:alert(1)", "Only web links starting with https://"),
        ("tel:+442079460000", "Only web links starting with https://"),
        ("https://", "not a valid web address"),
        ("y" * 501, "under 500 characters"),
    ],
)
def test_a_bad_place_is_refused_at_the_field_keeping_what_was_typed(
    tenant: Tenant, pair: Mentorship, typed: str, message: str
) -> None:
    response = _propose(client_for(tenant.participant), pair, typed)
    assert response.status_code == 400
    error = re.search(r'<p class="error" id="id_location_error">([^<]+)</p>', response.text)
    assert error is not None and message in error.group(1)
    assert f'value="{typed}"' in response.text
    assert not Meeting.objects.exists() and not mail.outbox


def test_changing_only_the_place_keeps_the_answer_and_updates_both_calendars(
    tenant: Tenant, pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    meeting = make_meeting(pair, dt.datetime(2025, 3, 6, 9, tzinfo=UTC), status="accepted")
    client = client_for(tenant.participant)
    with freeze_time(NOW):
        form = client.get(_url("meeting_reschedule", pair, meeting)).text
        # The form starts from the meeting's own time, so a place is one edit.
        assert 'value="2025-03-06"' in form and 'value="09:00"' in form
        same = client.post(
            _url("meeting_reschedule", pair, meeting),
            {"slot": "other", "date": "2025-03-06", "time": "09:00", "duration_minutes": "30"},
        )
        assert same.status_code == 400 and "already the meeting" in same.text
        bad = client.post(
            _url("meeting_reschedule", pair, meeting),
            {
                "slot": "other",
                "date": "2025-03-06",
                "time": "09:00",
                "duration_minutes": "30",
                "location": "javascript:alert(1)",
            },
        )
        assert bad.status_code == 400 and "Only web links" in bad.text
        with django_capture_on_commit_callbacks(execute=True):
            good = client.post(
                _url("meeting_reschedule", pair, meeting),
                {
                    "slot": "other",
                    "date": "2025-03-06",
                    "time": "09:00",
                    "duration_minutes": "30",
                    "location": CALL,
                },
            )
    assert good.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.location, meeting.status, meeting.sequence) == (CALL, "accepted", 1)
    for person in (pair.mentor, pair.mentee):
        sent = [m for m in mail.outbox if person.email in m.to]
        assert len(sent) == 1 and sent[0].subject.startswith("Meeting place changed")
        event = event_of(invitations(person.email)[0])
        assert (int(event["SEQUENCE"]), str(event["LOCATION"])) == (1, CALL)
        assert str(event["STATUS"]) == "CONFIRMED"


def test_a_new_time_and_place_together_ask_the_partner_again(
    tenant: Tenant, pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    meeting = make_meeting(pair, dt.datetime(2025, 3, 6, 9, tzinfo=UTC), status="accepted")
    with freeze_time(NOW), django_capture_on_commit_callbacks(execute=True):
        client_for(tenant.participant).post(
            _url("meeting_reschedule", pair, meeting),
            {"date": "2025-03-07", "time": "10:00", "duration_minutes": "30", "location": "Café"},
        )
    meeting.refresh_from_db()
    assert (meeting.location, meeting.status, meeting.sequence) == ("Café", "proposed", 1)
    assert {tuple(m.to) for m in mail.outbox} == {(pair.mentor.email,), (pair.mentee.email,)}


def _home(tenant: Tenant) -> str:
    response = client_for(tenant.participant).get(f"/o/{tenant.organisation.slug}/")
    assert response.status_code == 200
    return response.text


def _join_href(body: str) -> str:
    found = re.search(r'<a class="button" href="([^"]+)"[^>]*>Join<', body)
    assert found is not None, body
    return found.group(1)


def test_join_opens_the_call_from_15_minutes_before(tenant: Tenant, pair: Mentorship) -> None:
    meeting = make_meeting(pair, timezone.now() + dt.timedelta(minutes=10))
    meeting.location = "https://meet.example.org/soon"
    meeting.save()
    body = _home(tenant)
    assert _join_href(body) == "https://meet.example.org/soon"
    assert 'target="_blank" rel="noopener noreferrer">Join<' in body
    # The agenda and notes are still one link away.
    assert _url("meeting_detail", pair, meeting) in body


def test_no_join_before_the_window_or_without_a_link(tenant: Tenant, pair: Mentorship) -> None:
    """Outside the window, or with no link, there is nothing to join: the meeting offers
    "Add to calendar" and its page instead of a Join that only opens the page."""
    later = make_meeting(pair, timezone.now() + dt.timedelta(minutes=20))
    later.location = "https://meet.example.org/later"
    later.save()
    body = _home(tenant)
    assert ">Join<" not in body and "https://meet.example.org/later" not in body
    assert _url("meeting_detail", pair, later) in body and "Add to calendar" in body
    later.delete()
    place = make_meeting(pair, timezone.now() + dt.timedelta(minutes=5))
    place.location = "Room 4"
    place.save()
    body = _home(tenant)
    assert ">Join<" not in body and "noopener" not in body
    assert _url("meeting_ics", pair, place) in body


def test_an_invitation_to_answer_is_answered_even_with_a_link(
    tenant: Tenant, pair: Mentorship
) -> None:
    meeting = make_meeting(
        pair, timezone.now() + dt.timedelta(minutes=10), status="proposed", proposed_by=pair.mentor
    )
    meeting.location = "https://meet.example.org/x"
    meeting.save()
    body = _home(tenant)
    assert "Answer the invitation" in body and "meet.example.org" not in body


def test_the_agenda_toggle_keeps_its_name_and_says_its_state_with_aria_pressed(
    tenant: Tenant, pair: Mentorship
) -> None:
    meeting = make_meeting(pair, timezone.now() + dt.timedelta(days=2))
    item = AgendaItem.objects.create(meeting=meeting, text="Promotion case", added_by=pair.mentor)
    client = client_for(tenant.participant)
    before = client.get(_url("meeting_detail", pair, meeting)).text
    assert 'aria-pressed="false" aria-label="Covered: Promotion case"' in before
    client.post(_url("agenda_item_toggle", pair, meeting), {"item": item.pk})
    after = client.get(_url("meeting_detail", pair, meeting)).text
    assert 'aria-pressed="true" aria-label="Covered: Promotion case"' in after
    assert "as not covered" not in after
