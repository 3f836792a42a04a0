"""When a mentorship ends, its meetings to come end with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from openmentor.meetings import services as meetings
from openmentor.meetings.models import Meeting, MeetingReminder
from openmentor.meetings.reminders import reminders_send
from openmentor.mentorships.services import lifecycle as mentorships_lifecycle
from tests.conftest import Tenant
from tests.meetings.helpers import invitations, make_meeting
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db


def test_ending_cancels_meetings_to_come_in_both_calendars(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    soon = timezone.now() + dt.timedelta(hours=20)
    accepted = make_meeting(mentorship, soon)
    proposed = make_meeting(mentorship, soon + dt.timedelta(days=7), status="proposed")
    past = make_meeting(mentorship, timezone.now() - dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        mentorships_lifecycle.mentorship_end(
            mentorship=mentorship,
            user=mentorship.mentee,
            reason="schedule",
            reflection="",
            want_rematch=False,
        )
    statuses = dict(Meeting.objects.values_list("pk", "status"))
    assert statuses == {accepted.pk: "cancelled", proposed.pk: "cancelled", past.pk: "accepted"}
    for person in (mentorship.mentor, mentorship.mentee):
        cancels = [c for c in invitations(person.email) if str(c["METHOD"]) == "CANCEL"]
        uids = {str(next(e for e in c.walk() if e.name == "VEVENT")["UID"]) for c in cancels}
        assert uids == {accepted.uid, proposed.uid}
    # And no reminder for the cancelled meeting, even though it is less than 24 h away.
    mail.outbox.clear()
    reminders_send(now=timezone.now())
    assert not MeetingReminder.objects.exists() and mail.outbox == []


def test_a_proposal_cannot_be_accepted_after_the_end(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    proposal = make_meeting(
        mentorship,
        timezone.now() + dt.timedelta(days=2),
        status="proposed",
        proposed_by=mentorship.mentor,
    )
    mentorship.status = "ended"
    mentorship.ended_at = timezone.now()
    mentorship.save()
    with pytest.raises(ValidationError, match="only while the mentorship is active"):
        meetings.meeting_accept(meeting=proposal, actor=mentorship.mentee)
    assert Meeting.objects.get().status == "proposed"


def test_no_reminders_while_a_mentorship_is_paused(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    make_meeting(mentorship, timezone.now() + dt.timedelta(minutes=10))
    mentorship.status = "paused"
    mentorship.save()
    reminders_send(now=timezone.now())
    assert not MeetingReminder.objects.exists()
