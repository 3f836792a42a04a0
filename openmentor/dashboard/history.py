"""The participant home's memory: mentorships that ended and new matches asked for.

Without it a mentorship vanished from home the moment it ended, and so did any sign
that a new match was on its way. Two queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from openmentor.accounts.models import User
from openmentor.mentorships.models import Mentorship, RematchRequest
from openmentor.organisations.models import Membership

SHOWN = 10


@dataclass
class EndedMentorship:
    mentorship: Mentorship
    partner: User
    role: str  # the viewer's role: "mentor" | "mentee"


@dataclass
class History:
    ended: list[EndedMentorship] = field(default_factory=list)
    rematch_requests: list[RematchRequest] = field(default_factory=list)


def participant_history(*, membership: Membership) -> History:
    user = membership.user
    ended = (
        Mentorship.objects.filter(
            Q(mentor=user) | Q(mentee=user),
            programme__organisation=membership.organisation,
            status=Mentorship.Status.ENDED,
            # Ended pairs, with the partner each was with; circles are not listed yet.
            kind=Mentorship.Kind.PAIR,
        )
        .select_related("programme", "mentor", "mentee")
        .order_by("-ended_at", "-pk")[:SHOWN]
    )
    waiting = (
        RematchRequest.objects.filter(
            requester=user,
            programme__organisation=membership.organisation,
            status=RematchRequest.Status.OPEN,
        )
        .select_related("programme")
        .order_by("-created_at", "-pk")
    )
    return History(
        ended=[
            EndedMentorship(
                mentorship=m,
                partner=m.pair_mentee if m.mentor_id == user.pk else m.mentor,
                role="mentor" if m.mentor_id == user.pk else "mentee",
            )
            for m in ended
        ],
        rematch_requests=list(waiting),
    )
