"""Reminders 24 hours and 15 minutes before, on a frozen clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from freezegun import freeze_time

from openmentor.core.scheduler import registered_jobs, scheduler_tick
from openmentor.meetings.models import Meeting, MeetingReminder
from openmentor.meetings.reminders import reminders_send
from openmentor.mentorships.models import Mentorship
from openmentor.notifications.models import Notification
from tests.conftest import Tenant
from tests.meetings.helpers import make_meeting
from tests.scenarios import active_mentorship

UTC = dt.UTC
Capture = Callable[..., Any]


@pytest.fixture
def pair(tenant: Tenant) -> Mentorship:
    return active_mentorship(tenant.organisation, mentee=tenant.participant)


def _tick(at: dt.datetime, capture: Capture) -> None:
    with freeze_time(at), capture(execute=True):
        scheduler_tick(now=at)


def test_the_job_is_registered() -> None:
    assert "meetings.reminders" in registered_jobs()


def test_day_before_reminder_across_the_clock_change_is_24_real_hours_before(
    pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    # Clocks in London go forward at 01:00 UTC on Sunday 30 March 2025. A meeting at
    # 09:00 BST on Monday 31 March is 08:00 UTC; 24 hours before is 08:00 UTC on Sunday.
    meeting = make_meeting(pair, dt.datetime(2025, 3, 31, 8, tzinfo=UTC))
    _tick(dt.datetime(2025, 3, 30, 7, 59, tzinfo=UTC), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    _tick(dt.datetime(2025, 3, 30, 8, 0, tzinfo=UTC), django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([pair.mentor.email, pair.mentee.email])
    # Each person reads the local time of the meeting, after the change: 09:00 BST.
    assert "Monday 31 March 2025, 09:00 (Europe/London)" in mail.outbox[0].body
    notices = Notification.objects.filter(kind="meeting_reminder_24h")
    assert {n.user_id for n in notices} == {pair.mentor_id, pair.mentee_id}
    assert all(f"/meetings/{meeting.pk}/" in n.url for n in notices)


def test_day_before_reminder_before_a_meeting_the_morning_after_the_clocks_go_back(
    pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    # Clocks go back at 01:00 UTC on 26 October 2025. Monday 27 October 09:00 GMT is
    # 09:00 UTC; 24 hours earlier is 09:00 UTC on Sunday, which is 09:00 GMT too (not
    # 09:00 BST, which would be an hour early).
    make_meeting(pair, dt.datetime(2025, 10, 27, 9, tzinfo=UTC))
    _tick(dt.datetime(2025, 10, 26, 8, 59, tzinfo=UTC), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    _tick(dt.datetime(2025, 10, 26, 9, 0, tzinfo=UTC), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_fifteen_minute_reminder_and_running_twice_sends_once(
    pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    start = dt.datetime(2025, 5, 6, 9, tzinfo=UTC)
    make_meeting(pair, start)
    at = start - dt.timedelta(minutes=15)
    with freeze_time(at), django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=at) == 2
        assert reminders_send(now=at) == 0
    _tick(at + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert "in 15 minutes" in mail.outbox[0].subject
    assert MeetingReminder.objects.filter(kind="15m").count() == 2


def test_a_job_that_missed_minutes_still_sends_before_the_start(
    pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    start = dt.datetime(2025, 5, 6, 9, tzinfo=UTC)
    make_meeting(pair, start)
    # The workers were down from 08:40 to 08:52: the 08:45 tick never ran.
    _tick(dt.datetime(2025, 5, 6, 8, 52, tzinfo=UTC), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    # Once the meeting has started nothing more is sent.
    mail.outbox.clear()
    make_meeting(pair, dt.datetime(2025, 5, 6, 7, tzinfo=UTC))
    _tick(dt.datetime(2025, 5, 6, 9, 1, tzinfo=UTC), django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.parametrize(
    "status", [Meeting.Status.CANCELLED, Meeting.Status.DECLINED, Meeting.Status.PROPOSED]
)
def test_meetings_not_accepted_get_no_reminder(
    pair: Mentorship, django_capture_on_commit_callbacks: Capture, status: str
) -> None:
    start = dt.datetime(2025, 5, 6, 9, tzinfo=UTC)
    make_meeting(pair, start, status=status)
    for at in (start - dt.timedelta(hours=24), start - dt.timedelta(minutes=15)):
        _tick(at, django_capture_on_commit_callbacks)
    assert mail.outbox == [] and MeetingReminder.objects.count() == 0
    assert Notification.objects.count() == 0


def test_a_moved_meeting_is_reminded_again_for_its_new_time(
    pair: Mentorship, django_capture_on_commit_callbacks: Capture
) -> None:
    start = dt.datetime(2025, 5, 6, 9, tzinfo=UTC)
    meeting = make_meeting(pair, start)
    _tick(start - dt.timedelta(hours=24), django_capture_on_commit_callbacks)
    meeting.starts_at = start + dt.timedelta(hours=2)
    meeting.save()
    _tick(start - dt.timedelta(hours=22), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 4
