"""Walk maker for the mentee-choice pages.

`request_id` names a pending request addressed to the organisation's participant (the
Tenant's participant, its first participant member) as the mentor, in the programme of
`programme_slug`, so the answer pages reach their service for that participant.
"""

from __future__ import annotations

from typing import Any, cast

from openmentor.matching.models import MentorRequest
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.programmes.models import Programme
from tests.factories import MembershipFactory, MentorRequestFactory, ProgrammeFactory


def request_id(organisation: Organisation, values: dict[str, Any]) -> int:
    programme = Programme.objects.filter(
        organisation=organisation, slug=values.get("programme_slug", "")
    ).first() or cast(
        Programme,
        ProgrammeFactory(organisation=organisation, status=Programme.Status.ENROLLING),
    )
    mentor = organisation.memberships.filter(role=Role.PARTICIPANT).order_by("pk").first()
    if mentor is None:
        mentor = cast(
            Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT)
        )
    mentee = cast(Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT))
    return MentorRequestFactory(
        programme=programme,
        mentee=mentee.user,
        mentor=mentor.user,
        status=MentorRequest.Status.PENDING,
    ).pk


MAKERS = {"request_id": request_id}
