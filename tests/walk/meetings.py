"""Walk makers for the meeting pages: a proposed meeting, a week ahead, in the mentorship
that `mentorship_id` names (the organisation's participant belongs to it)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.utils import timezone

from openmentor.mentorships.models import Mentorship
from openmentor.organisations.models import Membership, Organisation, Role
from tests.factories import MeetingFactory, MembershipFactory
from tests.scenarios import active_mentorship


def meeting_id(organisation: Organisation, values: dict[str, Any]) -> int:
    mentorship = Mentorship.objects.filter(pk=int(values.get("mentorship_id") or 0)).first()
    if mentorship is None:
        participant = organisation.memberships.filter(role=Role.PARTICIPANT).order_by(
            "pk"
        ).first() or cast(
            Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT)
        )
        mentorship = active_mentorship(organisation, mentee=participant)
    meeting = MeetingFactory(
        mentorship=mentorship,
        starts_at=timezone.now() + dt.timedelta(days=7),
        duration_minutes=30,
        proposed_by=mentorship.mentor,
    )
    return meeting.pk


MAKERS = {"meeting_id": meeting_id}
PUBLIC = {"calendar_feed_ics"}
