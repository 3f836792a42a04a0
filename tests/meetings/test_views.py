"""Meeting pages: tenancy, bad input at the field, local times, query counts, feeds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from icalendar import Calendar

from openmentor.meetings import services
from openmentor.meetings.models import AgendaItem, CalendarFeed, Meeting
from openmentor.mentorships.models import Mentorship
from tests.conftest import Tenant, client_for
from tests.meetings.helpers import make_meeting, set_profile
from tests.scenarios import active_mentorship

UTC = dt.UTC
NOW = dt.datetime(2025, 3, 3, 12, tzinfo=UTC)  # Monday 3 March 2025
Capture = Callable[..., Any]


@pytest.fixture
def pair(tenant: Tenant) -> Mentorship:
    return active_mentorship(tenant.organisation, mentee=tenant.participant)


def _url(name: str, pair: Mentorship, meeting: Meeting | None = None) -> str:
    kwargs: dict[str, Any] = {
        "slug": pair.programme.organisation.slug,
        "mentorship_id": pair.pk,
    }
    if meeting is not None:
        kwargs["meeting_id"] = meeting.pk
    return reverse(name, kwargs=kwargs)


def _post_propose(client: Client, pair: Mentorship, **data: Any) -> Any:
    with freeze_time(NOW):
        return client.post(_url("meeting_propose", pair), {"duration_minutes": "30", **data})


def test_suggested_times_are_in_each_viewers_own_timezone(tenant: Tenant, pair: Mentorship) -> None:
    # Mentee in London free Tue 09:00-10:00; mentor in New York free Tue 04:00-06:00.
    # On Tue 4 March (London GMT, New York EST) they share 09:00-10:00 UTC.
    set_profile(
        pair, pair.mentee_id, availability=[{"day": "tue", "start": "09:00", "end": "10:00"}]
    )
    set_profile(
        pair,
        pair.mentor_id,
        timezone="America/New_York",
        availability=[{"day": "tue", "start": "04:00", "end": "06:00"}],
    )
    with freeze_time(NOW):
        mentee_page = client_for(tenant.participant).get(_url("meeting_propose", pair))
        mentor_client = Client()
        mentor_client.force_login(pair.mentor)
        mentor_page = mentor_client.get(_url("meeting_propose", pair))
    assert mentee_page.status_code == 200
    assert "Tuesday 4 March, 09:00" in mentee_page.text
    assert "Tuesday 4 March, 09:30" in mentee_page.text
    assert "(your time, Europe/London)" in mentee_page.text
    assert "Tuesday 4 March, 04:00" in mentor_page.text
    assert "(your time, America/New_York)" in mentor_page.text
    # A week later New York is on summer time (UTC-4): 04:00-06:00 is 08:00-10:00 UTC,
    # so 05:00 and 05:30 New York time are the shared half hours.
    assert "Tuesday 11 March, 05:00" in mentor_page.text
    assert "Tuesday 11 March, 04:00" not in mentor_page.text


def test_choosing_a_suggested_time_proposes_it(
    tenant: Tenant, pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_propose(client_for(tenant.participant), pair, slot="2025-03-04T09:00Z")
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(
        "meeting_detail", pair, meeting
    )
    assert meeting.starts_at == dt.datetime(2025, 3, 4, 9, tzinfo=UTC)
    assert meeting.proposed_by_id == tenant.participant.user_id


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "slot", "Choose one of the suggested times, or enter a date and a start time."),
        ({"slot": "2025-03-05T03:00Z"}, "slot", "no longer free for both of you"),
        (
            {"date": "2025-03-30", "time": "01:30"},
            "time",
            "This time does not exist in Europe/London on that day (clocks go forward).",
        ),
        ({"date": "2025-03-01", "time": "10:00"}, "time", "already passed"),
        (
            {"date": "2025-03-10", "time": "10:00", "duration_minutes": "300"},
            "duration_minutes",
            "at most 4 hours (240 minutes)",
        ),
        (
            {"date": "2025-03-10", "time": "10:00", "duration_minutes": "abc"},
            "duration_minutes",
            "whole number of minutes",
        ),
        ({"date": "2025-13-45", "time": "10:00"}, "date", "Enter a date like"),
        ({"date": "2025-03-10", "time": "25:99"}, "time", "Enter a time like 09:30."),
        ({"date": "2025-03-10"}, "time", "Enter the start time"),
        ({"time": "10:00"}, "date", "Enter the date"),
        (
            {"date": "2025-03-10", "time": "10:00", "repeat_every_weeks": "2"},
            "repeat_count",
            "how many meetings",
        ),
        (
            {"date": "2025-03-10", "time": "10:00", "repeat_every_weeks": "0", "repeat_count": "3"},
            "repeat_every_weeks",
            "every week",
        ),
        (
            {
                "date": "2025-03-10",
                "time": "10:00",
                "repeat_every_weeks": "1",
                "repeat_count": "99",
            },
            "repeat_count",
            "at most 26",
        ),
    ],
)
def test_bad_input_is_refused_at_the_field_keeping_what_was_typed(
    tenant: Tenant, pair: Mentorship, data: dict[str, str], field: str, message: str
) -> None:
    response = _post_propose(client_for(tenant.participant), pair, **data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    for key, value in data.items():
        if key != "slot":
            assert f'value="{value}"' in response.text
    assert Meeting.objects.count() == 0


def test_overlap_is_refused_at_the_time_field(tenant: Tenant, pair: Mentorship) -> None:
    make_meeting(pair, dt.datetime(2025, 3, 10, 10, 15, tzinfo=UTC))
    response = _post_propose(client_for(tenant.participant), pair, date="2025-03-10", time="10:00")
    assert response.status_code == 400
    assert "overlaps another meeting" in " ".join(response.context["form"].errors["time"])
    assert Meeting.objects.count() == 1


def test_a_repeated_local_time_is_booked_at_its_first_occurrence_and_said(
    tenant: Tenant, pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    client = client_for(tenant.participant)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_propose(client, pair, date="2025-10-26", time="01:30")
    assert response.status_code == 302
    assert Meeting.objects.get().starts_at == dt.datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    with freeze_time(NOW):
        page = client.get(response["Location"])
    assert "01:30 happens twice in Europe/London" in page.text
    assert "we used the first one, 01:30 BST" in page.text


def test_detail_answers_and_agenda(
    tenant: Tenant, pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    meeting = make_meeting(
        pair, timezone.now() + dt.timedelta(days=3), status=Meeting.Status.PROPOSED
    )
    client = client_for(tenant.participant)  # the mentee, who did not propose it
    page = client.get(_url("meeting_detail", pair, meeting))
    assert page.status_code == 200
    for button in ("Accept", "Decline", "Cancel meeting"):
        assert f">{button}</button>" in page.text
    assert "Propose another time" in page.text
    empty = client.post(_url("agenda_item_add", pair, meeting), {"text": "  "})
    assert empty.status_code == 400
    assert "Write the topic" in empty.text
    client.post(_url("agenda_item_add", pair, meeting), {"text": "Promotion case"})
    item = AgendaItem.objects.get()
    client.post(_url("agenda_item_toggle", pair, meeting), {"item": item.pk})
    item.refresh_from_db()
    assert item.done
    assert client.post(_url("agenda_item_toggle", pair, meeting), {"item": "x"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("meeting_accept", pair, meeting))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ACCEPTED and meeting.sequence == 1
    # Accepting again is refused politely, not with an error page.
    again = client.post(_url("meeting_accept", pair, meeting), follow=True)
    assert "accepted already" in again.text


def test_reschedule_form_refuses_bad_input_and_moves_the_meeting(
    tenant: Tenant, pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    meeting = make_meeting(pair, dt.datetime(2025, 3, 6, 9, tzinfo=UTC))
    client = client_for(tenant.participant)
    with freeze_time(NOW):
        bad = client.post(
            _url("meeting_reschedule", pair, meeting),
            {"date": "2025-03-30", "time": "01:15", "duration_minutes": "30"},
        )
        assert bad.status_code == 400 and "clocks go forward" in bad.text
        with django_capture_on_commit_callbacks(execute=True):
            good = client.post(
                _url("meeting_reschedule", pair, meeting),
                {"date": "2025-03-07", "time": "14:00", "duration_minutes": "45"},
            )
    assert good.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime(2025, 3, 7, 14, tzinfo=UTC)
    assert meeting.status == Meeting.Status.PROPOSED and meeting.sequence == 1


def test_another_pairs_or_another_organisations_meetings_are_404(
    tenant: Tenant, other_tenant: Tenant, pair: Mentorship
) -> None:
    others = active_mentorship(tenant.organisation)  # participant is not in this pair
    their_meeting = make_meeting(others, timezone.now() + dt.timedelta(days=2))
    client = client_for(tenant.participant)
    assert client.get(_url("meeting_list", others)).status_code == 404
    assert client.get(_url("meeting_detail", others, their_meeting)).status_code == 404
    assert client.post(_url("meeting_cancel", others, their_meeting)).status_code == 404
    # Their meeting named under my own mentorship's URL is a 404 too.
    mixed = reverse(
        "meeting_detail",
        kwargs={
            "slug": tenant.organisation.slug,
            "mentorship_id": pair.pk,
            "meeting_id": their_meeting.pk,
        },
    )
    assert client.get(mixed).status_code == 404
    # Managers of another organisation see nothing of it.
    assert client_for(other_tenant.manager).get(_url("meeting_list", pair)).status_code == 404
    their_meeting.refresh_from_db()
    assert their_meeting.status == Meeting.Status.ACCEPTED


def test_managers_read_meetings_but_only_the_pair_changes_them(
    tenant: Tenant, pair: Mentorship
) -> None:
    meeting = make_meeting(pair, timezone.now() + dt.timedelta(days=2))
    manager = client_for(tenant.manager)
    assert manager.get(_url("meeting_list", pair)).status_code == 200
    page = manager.get(_url("meeting_detail", pair, meeting))
    assert page.status_code == 200 and "Cancel meeting" not in page.text
    assert manager.get(_url("meeting_propose", pair)).status_code == 403
    assert manager.post(_url("meeting_cancel", pair, meeting)).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ACCEPTED


def test_meeting_list_queries_are_bounded(
    tenant: Tenant, pair: Mentorship, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    start = timezone.now() + dt.timedelta(days=1)
    for i in range(40):
        meeting = make_meeting(
            pair,
            start + dt.timedelta(days=i) if i % 2 else start - dt.timedelta(days=i + 2),
            proposed_by=pair.mentee if i % 3 else pair.mentor,
            status=Meeting.Status.PROPOSED if i % 2 else Meeting.Status.ACCEPTED,
        )
        AgendaItem.objects.create(meeting=meeting, text=f"Topic {i}", added_by=pair.mentor)
    client = client_for(tenant.participant)
    with django_assert_max_num_queries(12):
        response = client.get(_url("meeting_list", pair))
    assert response.status_code == 200
    assert response.text.count("1 topic") == 20  # upcoming ones show their agenda size


def test_calendar_feed_page_and_public_feed(tenant: Tenant, pair: Mentorship) -> None:
    upcoming = make_meeting(pair, timezone.now() + dt.timedelta(days=2))
    make_meeting(pair, timezone.now() + dt.timedelta(days=3), status=Meeting.Status.CANCELLED)
    client = client_for(tenant.participant)
    page_url = reverse("calendar_feed", kwargs={"slug": tenant.organisation.slug})
    assert "no calendar address yet" in client.get(page_url).text
    made = client.post(page_url, {"action": "create"})
    assert made.status_code == 302
    shown = client.get(page_url)
    feed_url = shown.context["feed_url"]
    assert "/calendar/" in feed_url and feed_url.endswith(".ics")
    # Visible and copyable whenever the person comes back, not only once.
    assert f'value="{feed_url}"' in shown.text and "Copy the calendar address" in shown.text
    assert feed_url in client.get(page_url).text
    path = feed_url.split("testserver", 1)[1]
    body = Client().get(path)  # no login: calendar apps cannot log in
    assert body.status_code == 200 and body["Content-Type"].startswith("text/calendar")
    feed = Calendar.from_ical(body.content)
    assert "METHOD" not in feed
    assert [str(e["UID"]) for e in feed.walk("VEVENT")] == [upcoming.uid]
    # The database alone cannot give the address away: it holds a hash and a seed.
    stored = CalendarFeed.objects.get(revoked_at__isnull=True)
    token = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in (stored.token_hash, stored.seed)
    # "Reset" makes a new address and the old one stops working.
    client.post(page_url, {"action": "create"})
    new_url = client.get(page_url).context["feed_url"]
    assert new_url != feed_url and Client().get(path).status_code == 404
    path = new_url.split("testserver", 1)[1]
    # Bad requests do nothing; switching off makes the old address a 404.
    client.post(page_url, {"action": "steal"})
    assert Client().get(path).status_code == 200
    client.post(page_url, {"action": "revoke"})
    assert Client().get(path).status_code == 404
    assert Client().get("/calendar/not-a-token.ics").status_code == 404


def test_calendar_feed_stops_when_the_person_leaves_the_organisation(
    tenant: Tenant, pair: Mentorship
) -> None:
    _, token = services.calendar_feed_create(
        user=tenant.participant.user, organisation=tenant.organisation
    )
    assert Client().get(f"/calendar/{token}.ics").status_code == 200
    tenant.participant.delete()
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_add_to_calendar_downloads_the_same_event_as_the_invitations(
    tenant: Tenant, pair: Mentorship, django_capture_on_commit_callbacks: Any
) -> None:
    """Same UID and SEQUENCE as the e-mailed invitation, so a later update replaces it."""
    starts = (timezone.now() + dt.timedelta(days=5)).replace(second=0, microsecond=0)
    meeting = make_meeting(pair, starts)
    meeting.sequence = 2
    meeting.save()
    client = client_for(tenant.participant)
    detail = client.get(_url("meeting_detail", pair, meeting)).text
    ics_url = _url("meeting_ics", pair, meeting)
    assert f'href="{ics_url}"' in detail and "Add to calendar" in detail
    response = client.get(ics_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (meeting.uid, 2)
    assert event.decoded("DTSTART") == meeting.starts_at
    # Only the pair: a manager reads the page but has no calendar of theirs to add to.
    assert client_for(tenant.manager).get(ics_url).status_code == 403
    assert client.post(ics_url).status_code == 405


def test_meeting_list_is_in_date_order_whatever_order_they_were_made(
    tenant: Tenant, pair: Mentorship
) -> None:
    """The agenda-count annotation's GROUP BY drops Meta.ordering; the list orders itself."""
    now = timezone.now().replace(second=0, microsecond=0)
    made = [make_meeting(pair, now + dt.timedelta(days=days)) for days in (9, 2, 30, 5)] + [
        make_meeting(pair, now - dt.timedelta(days=days)) for days in (20, 3, 40)
    ]
    body = client_for(tenant.participant).get(_url("meeting_list", pair)).text
    positions = {m.pk: body.index(_url("meeting_detail", pair, m) + '"') for m in made}
    upcoming = sorted((m for m in made if m.starts_at > now), key=lambda m: m.starts_at)
    past = sorted((m for m in made if m.starts_at < now), key=lambda m: m.starts_at, reverse=True)
    assert sorted(positions, key=positions.__getitem__) == [m.pk for m in upcoming + past]


@pytest.mark.parametrize(
    ("zone", "data"),
    [
        # The local time converts to a UTC instant past the end of the calendar.
        ("America/Los_Angeles", {"date": "9999-12-31", "time": "23:00"}),
        # ... or before its start.
        ("Asia/Tokyo", {"date": "0001-01-01", "time": "01:00"}),
        ("UTC", {"date": "2500-01-01", "time": "10:00"}),
        # Repeats that would run off the end of the calendar.
        (
            "UTC",
            {
                "date": "9999-06-01",
                "time": "10:00",
                "repeat_every_weeks": "12",
                "repeat_count": "26",
            },
        ),
    ],
)
def test_extreme_dates_are_refused_at_the_date_field(
    tenant: Tenant, pair: Mentorship, zone: str, data: dict[str, str]
) -> None:
    set_profile(pair, tenant.participant.user_id, timezone=zone)
    response = _post_propose(client_for(tenant.participant), pair, **data)
    assert response.status_code == 400
    assert "within ten years" in " ".join(response.context["form"].errors["date"])
    assert Meeting.objects.count() == 0


def test_a_reschedule_to_an_extreme_date_is_refused_at_the_date_field(
    tenant: Tenant, pair: Mentorship
) -> None:
    meeting = make_meeting(pair, dt.datetime(2025, 3, 6, 9, tzinfo=UTC))
    set_profile(pair, tenant.participant.user_id, timezone="America/Los_Angeles")
    with freeze_time(NOW):
        response = client_for(tenant.participant).post(
            _url("meeting_reschedule", pair, meeting),
            {"date": "9999-12-31", "time": "23:00", "duration_minutes": "30"},
        )
    assert response.status_code == 400
    assert "within ten years" in " ".join(response.context["form"].errors["date"])
    meeting.refresh_from_db()
    assert meeting.starts_at == dt.datetime(2025, 3, 6, 9, tzinfo=UTC)
