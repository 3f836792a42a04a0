"""Whole lifecycle phases built in one call, so each test states only what is special."""

from __future__ import annotations

from dataclasses import dataclass, field

from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from tests.factories import MembershipFactory, ProfileFactory, ProgrammeFactory

SKILLS = ["python", "leadership", "public speaking", "negotiation", "data analysis"]


@dataclass
class EnrollingProgramme:
    organisation: Organisation
    programme: Programme
    manager: Membership
    mentors: list[Enrolment] = field(default_factory=list)
    mentees: list[Enrolment] = field(default_factory=list)


def enrolling_programme(
    organisation: Organisation, *, mentors: int = 2, mentees: int = 4, **programme_fields: object
) -> EnrollingProgramme:
    """A programme open for enrolment with complete mentor and mentee profiles."""
    manager = organisation.memberships.filter(role__in=[Role.OWNER, Role.MANAGER]).first()
    if manager is None:
        manager = MembershipFactory(organisation=organisation, role=Role.MANAGER)
    programme = ProgrammeFactory(
        organisation=organisation,
        status=Programme.Status.ENROLLING,
        skills=SKILLS,
        **programme_fields,
    )
    scenario = EnrollingProgramme(organisation=organisation, programme=programme, manager=manager)
    for role, count, bucket in (
        (Enrolment.Role.MENTOR, mentors, scenario.mentors),
        (Enrolment.Role.MENTEE, mentees, scenario.mentees),
    ):
        for i in range(count):
            member = MembershipFactory(organisation=organisation, role=Role.PARTICIPANT)
            ProfileFactory(
                organisation=organisation,
                user=member.user,
                skills_offered=SKILLS[i % 5 : i % 5 + 2] if role == Enrolment.Role.MENTOR else [],
                skills_wanted=SKILLS[i % 5 : i % 5 + 2] if role == Enrolment.Role.MENTEE else [],
                goals="Grow into a team lead" if role == Enrolment.Role.MENTEE else "",
                bio="Led teams for ten years" if role == Enrolment.Role.MENTOR else "",
                availability=[{"day": "tue", "start": "09:00", "end": "11:00"}],
                seniority_years=12 if role == Enrolment.Role.MENTOR else 2,
            )
            bucket.append(
                Enrolment.objects.create(programme=programme, user=member.user, role=role)
            )
    return scenario


def profile_of(enrolment: Enrolment) -> Profile:
    return Profile.objects.get(organisation=enrolment.programme.organisation, user=enrolment.user)
