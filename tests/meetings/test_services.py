"""Meeting services: validation, calendar e-mails (.ics parsed back), sequences, feeds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from freezegun import freeze_time

from openmentor.meetings import services
from openmentor.meetings.models import AgendaItem, CalendarFeed, Meeting
from openmentor.mentorships.models import Mentorship
from tests.conftest import Tenant
from tests.factories import MembershipFactory
from tests.meetings.helpers import event_of, invitations, make_meeting
from tests.scenarios import active_mentorship

UTC = dt.UTC
NOW = dt.datetime(2025, 3, 3, 12, tzinfo=UTC)  # a Monday
Capture = Callable[..., Any]


@pytest.fixture
def pair(tenant: Tenant) -> Mentorship:
    return active_mentorship(tenant.organisation, mentee=tenant.participant)


def _propose(pair: Mentorship, capture: Capture, **kwargs: Any) -> list[Meeting]:
    defaults: dict[str, Any] = {
        "mentorship": pair,
        "proposer": pair.mentor,
        "starts_at": NOW + dt.timedelta(days=1),
        "duration_minutes": 30,
        "now": NOW,
    }
    with capture(execute=True):
        return services.meeting_propose(**{**defaults, **kwargs})


def test_proposal_invites_both_members_with_a_request_ics(
    pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    with freeze_time(NOW):
        [meeting] = _propose(pair, django_capture_on_commit_callbacks)
    assert meeting.status == Meeting.Status.PROPOSED and meeting.uid.endswith("@openmentor")
    for person in (pair.mentor, pair.mentee):
        [invite] = invitations(person.email)
        assert invite["METHOD"] == "REQUEST"
        event = event_of(invite)
        assert str(event["UID"]) == meeting.uid
        assert int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == NOW + dt.timedelta(days=1)
        assert event.decoded("DTEND") == NOW + dt.timedelta(days=1, minutes=30)
        assert "DTSTAMP" in event and str(event["ORGANIZER"]).startswith("mailto:")
        attendees = {str(a) for a in event.get("ATTENDEE")}
        assert attendees == {f"mailto:{pair.mentor.email}", f"mailto:{pair.mentee.email}"}
        assert f"/meetings/{meeting.pk}/" in str(event["DESCRIPTION"])
    # Each person reads the time in their own timezone (London: 12:00 GMT in March).
    assert "Tuesday 4 March 2025, 12:00 (Europe/London)" in mail.outbox[0].body


def test_accept_reschedule_cancel_keep_the_uid_and_raise_the_sequence(
    pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    with freeze_time(NOW):
        [meeting] = _propose(pair, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_accept(meeting=meeting, actor=pair.mentee)
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_reschedule(
                meeting=meeting,
                actor=pair.mentee,
                starts_at=NOW + dt.timedelta(days=2),
                duration_minutes=45,
            )
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.PROPOSED
        assert meeting.proposed_by_id == pair.mentee_id
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_cancel(meeting=meeting, actor=pair.mentor)
    received = invitations(pair.mentor.email)
    assert [c["METHOD"] for c in received] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    events = [event_of(c) for c in received]
    assert {str(e["UID"]) for e in events} == {meeting.uid}
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2, 3]
    assert [str(e["STATUS"]) for e in events] == [
        "TENTATIVE",
        "CONFIRMED",
        "TENTATIVE",
        "CANCELLED",
    ]
    assert events[2].decoded("DTSTART") == NOW + dt.timedelta(days=2)
    # The one who acted gets the update too, so their own calendar follows.
    assert len(invitations(pair.mentee.email)) == 4


def test_decline_sends_a_cancellation_and_only_the_partner_may_answer(
    pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    with freeze_time(NOW):
        [meeting] = _propose(pair, django_capture_on_commit_callbacks)
        with pytest.raises(ValidationError, match="your mentoring partner answers"):
            services.meeting_accept(meeting=meeting, actor=pair.mentor)
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_decline(meeting=meeting, actor=pair.mentee)
        with pytest.raises(ValidationError, match="declined already"):
            services.meeting_accept(meeting=meeting, actor=pair.mentee)
    assert invitations(pair.mentee.email)[-1]["METHOD"] == "CANCEL"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"starts_at": NOW - dt.timedelta(minutes=1)}, "starts_at", "already passed"),
        ({"duration_minutes": 241}, "duration_minutes", "at most 4 hours"),
        ({"duration_minutes": 5}, "duration_minutes", "at least 15"),
    ],
)
def test_bad_times_are_refused_and_nothing_is_written(
    pair: Mentorship,
    django_capture_on_commit_callbacks: Capture,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    with freeze_time(NOW), pytest.raises(ValidationError) as error:
        _propose(pair, django_capture_on_commit_callbacks, **change)
    assert message in " ".join(error.value.message_dict[field])
    assert Meeting.objects.count() == 0 and mail.outbox == []


def test_overlap_with_either_members_other_meetings_is_refused(
    tenant: Tenant, pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    start = NOW + dt.timedelta(days=1)
    # The mentee has another mentorship with a meeting from 11:45 to 12:15.
    other = active_mentorship(tenant.organisation, mentee=tenant.participant)
    make_meeting(other, start - dt.timedelta(minutes=15))
    with freeze_time(NOW), pytest.raises(ValidationError) as error:
        _propose(pair, django_capture_on_commit_callbacks, starts_at=start)
    assert "overlaps another meeting" in error.value.message_dict["starts_at"][0]
    assert pair.mentee.name in error.value.message_dict["starts_at"][0]
    # Cancelled and declined meetings do not block; back-to-back meetings are fine.
    Meeting.objects.update(status=Meeting.Status.DECLINED)
    make_meeting(other, start - dt.timedelta(minutes=30))  # ends exactly at `start`
    with freeze_time(NOW):
        assert _propose(pair, django_capture_on_commit_callbacks, starts_at=start)


def test_a_series_keeps_local_time_across_dst_and_is_accepted_as_a_whole(
    pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    first = dt.datetime(2025, 3, 18, 9, tzinfo=UTC)  # Tue 09:00 GMT
    with freeze_time(NOW):
        meetings = _propose(
            pair,
            django_capture_on_commit_callbacks,
            starts_at=first,
            every_weeks=1,
            count=3,
            local_tz="Europe/London",
        )
        assert [m.starts_at.hour for m in meetings] == [9, 9, 8]  # 09:00 local after BST
        assert len({m.uid for m in meetings}) == 3
        # One .ics per meeting: an iTIP message carries a single UID.
        assert len(mail.outbox[0].attachments) == 3
        accepted = services.meeting_accept(meeting=meetings[1], actor=pair.mentee)
    assert len(accepted) == 3
    assert set(Meeting.objects.values_list("status", flat=True)) == {"accepted"}


def test_a_series_overlapping_later_says_which_meeting(
    pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    first = dt.datetime(2025, 3, 18, 9, tzinfo=UTC)
    make_meeting(pair, first + dt.timedelta(weeks=2) - dt.timedelta(hours=1), minutes=90)
    with freeze_time(NOW), pytest.raises(ValidationError) as error:
        _propose(
            pair,
            django_capture_on_commit_callbacks,
            starts_at=first,
            every_weeks=2,
            count=3,
            local_tz="Europe/London",
        )
    assert "Tuesday 1 April 2025, 09:00" in error.value.message_dict["repeat_count"][0]
    assert Meeting.objects.count() == 1


def test_only_members_of_an_active_mentorship_plan_meetings(
    tenant: Tenant, pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    outsider = MembershipFactory(organisation=tenant.organisation).user
    with freeze_time(NOW), pytest.raises(ValidationError, match="Only the mentor and the mentee"):
        _propose(pair, django_capture_on_commit_callbacks, proposer=outsider)
    pair.status = Mentorship.Status.ENDED
    pair.ended_at = NOW
    pair.save()
    with freeze_time(NOW), pytest.raises(ValidationError, match="only while the mentorship"):
        _propose(pair, django_capture_on_commit_callbacks)


def test_agenda_items_are_cleaned_and_refused_when_empty_or_closed(pair: Mentorship) -> None:
    meeting = make_meeting(pair, timezone.now() + dt.timedelta(days=1))
    item = services.agenda_item_add(meeting=meeting, actor=pair.mentee, text="  Career   plan ")
    assert item.text == "Career plan"
    assert services.agenda_item_toggle(item=item, actor=pair.mentor).done
    with pytest.raises(ValidationError):
        services.agenda_item_add(meeting=meeting, actor=pair.mentee, text="   ")
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    with pytest.raises(ValidationError, match="agenda is closed"):
        services.agenda_item_add(meeting=meeting, actor=pair.mentee, text="Late")
    assert AgendaItem.objects.count() == 1


def test_calendar_feed_stores_only_a_hash_and_a_new_one_revokes_the_old(
    tenant: Tenant,
) -> None:
    user, organisation = tenant.participant.user, tenant.organisation
    first, token = services.calendar_feed_create(user=user, organisation=organisation)
    assert token not in first.token_hash and len(first.token_hash) == 64
    second, _ = services.calendar_feed_create(user=user, organisation=organisation)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert services.calendar_feed_revoke(user=user, organisation=organisation) == 1
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 0
