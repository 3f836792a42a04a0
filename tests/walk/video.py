"""Walk maker for group call rooms: one whose members are the organisation's participant
(as a mentee) and a new mentor, so the participant may open it and nobody else may."""

from __future__ import annotations

from typing import Any, cast

from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.video import services
from tests.factories import MembershipFactory


def room_id(organisation: Organisation, values: dict[str, Any]) -> int:
    participant = organisation.memberships.filter(role=Role.PARTICIPANT).order_by("pk").first()
    mentor = cast(Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT))
    mentees = [participant.user] if participant else []
    room = services.room_group_create(
        organisation=organisation, title="Walk circle", mentors=[mentor.user], mentees=mentees
    )
    return room.pk


MAKERS = {"room_id": room_id}
