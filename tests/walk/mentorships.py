"""Walk makers for the mentorship pages.

`mentorship_id` names a mentorship the organisation's participant (the Tenant's
participant, its first participant member) belongs to, so the pair's pages answer 200
to that participant; the other makers build on it.
"""

from __future__ import annotations

from typing import Any, cast

from openmentor.mentorships.models import Goal, Icebreaker, Mentorship, Milestone, RematchRequest
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.programmes.models import Programme
from tests.factories import GoalFactory, MembershipFactory, ProgrammeFactory
from tests.scenarios import active_mentorship


def _mentorship(organisation: Organisation, values: dict[str, Any]) -> Mentorship:
    if "mentorship_id" in values:
        return Mentorship.objects.get(pk=values["mentorship_id"])
    participant = organisation.memberships.filter(role=Role.PARTICIPANT).order_by("pk").first()
    if participant is None:
        participant = cast(
            Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT)
        )
    return active_mentorship(organisation, mentee=participant)


def mentorship_id(organisation: Organisation, values: dict[str, Any]) -> int:
    return _mentorship(organisation, values).pk


def goal_id(organisation: Organisation, values: dict[str, Any]) -> int:
    mentorship = _mentorship(organisation, values)
    return GoalFactory(mentorship=mentorship, title="Speak at a meetup").pk


def milestone_id(organisation: Organisation, values: dict[str, Any]) -> int:
    goal = Goal.objects.get(pk=values["goal_id"])
    return Milestone.objects.create(goal=goal, text="Write an abstract").pk


def _programme(organisation: Organisation, values: dict[str, Any]) -> Programme:
    found = Programme.objects.filter(
        organisation=organisation, slug=values.get("programme_slug", "")
    ).first()
    return found or cast(Programme, ProgrammeFactory(organisation=organisation))


def rematch_id(organisation: Organisation, values: dict[str, Any]) -> int:
    programme = _programme(organisation, values)
    requester = cast(
        Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT)
    )
    return RematchRequest.objects.create(
        programme=programme, requester=requester.user, role="mentee"
    ).pk


def icebreaker_id(organisation: Organisation, values: dict[str, Any]) -> int:
    programme = _programme(organisation, values)
    return Icebreaker.objects.create(
        programme=programme, meeting_number=1, text="What brought you here?"
    ).pk


def circle_id(organisation: Organisation, values: dict[str, Any]) -> int:
    """A circle in a group programme with the organisation's participant as a mentee."""
    from openmentor.mentorships.services.circles import circle_create
    from openmentor.programmes.models import Enrolment
    from tests.mentorships.circles import group_programme

    participant = organisation.memberships.filter(role=Role.PARTICIPANT).order_by("pk").first()
    if participant is None:
        participant = cast(
            Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT)
        )
    scenario = group_programme(organisation, mentors=1, mentees=0)
    Enrolment.objects.create(programme=scenario.programme, user=participant.user, role="mentee")
    return circle_create(
        programme=scenario.programme,
        manager=scenario.manager,
        topic="Walking the site",
        capacity=3,
        mentors=[scenario.mentors[0].user],
        mentees=[participant.user],
    ).pk


MAKERS = {
    "circle_id": circle_id,
    "mentorship_id": mentorship_id,
    "goal_id": goal_id,
    "milestone_id": milestone_id,
    "rematch_id": rematch_id,
    "icebreaker_id": icebreaker_id,
}
