"""Shared set-up for the circle tests: a group programme and a circle in it."""

from __future__ import annotations

from dataclasses import dataclass

from openmentor.accounts.models import User
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services import circles
from openmentor.organisations.models import Organisation
from openmentor.programmes.models import Programme
from tests.scenarios import EnrollingProgramme, enrolling_programme


@dataclass
class Circle:
    scenario: EnrollingProgramme
    circle: Mentorship

    @property
    def mentors(self) -> list[User]:
        return [e.user for e in self.scenario.mentors]

    @property
    def mentees(self) -> list[User]:
        return [e.user for e in self.scenario.mentees]


def group_programme(
    organisation: Organisation, *, mentors: int = 2, mentees: int = 4
) -> EnrollingProgramme:
    return enrolling_programme(
        organisation, mentors=mentors, mentees=mentees, kind=Programme.Kind.GROUP
    )


def form_circle(
    scenario: EnrollingProgramme,
    *,
    mentors: int = 1,
    mentees: int = 3,
    capacity: int = 5,
    topic: str = "Moving into management",
) -> Mentorship:
    return circles.circle_create(
        programme=scenario.programme,
        manager=scenario.manager,
        topic=topic,
        capacity=capacity,
        mentors=[e.user for e in scenario.mentors[:mentors]],
        mentees=[e.user for e in scenario.mentees[:mentees]],
    )


def start_circle(circle: Mentorship, people: list[User]) -> Mentorship:
    for user in people:
        circle = circles.circle_accept_agreement(
            circle=circle, user=user, hopes="To learn together", confidentiality=True
        )
    return circle


def running_circle(organisation: Organisation, *, mentees: int = 3) -> Circle:
    """An active circle of one mentor and `mentees` mentees, everyone having accepted."""
    scenario = group_programme(organisation, mentees=max(mentees, 4))
    circle = form_circle(scenario, mentees=mentees)
    people = [scenario.mentors[0].user] + [e.user for e in scenario.mentees[:mentees]]
    return Circle(scenario=scenario, circle=start_circle(circle, people))
