"""Whole lifecycle phases built in one call, so each test states only what is special."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from tests.factories import MembershipFactory, ProfileFactory, ProgrammeFactory

if TYPE_CHECKING:
    from openmentor.mentorships.models import Mentorship

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


def active_mentorship(
    organisation: Organisation,
    *,
    mentee: Membership | None = None,
    mentor: Membership | None = None,
    programme: Programme | None = None,
) -> Mentorship:
    """An active mentorship in a running programme, with enrolments and profiles for both.

    Pass the Tenant's participant as `mentee` (or `mentor`) to make a pair that person
    belongs to. Written directly (not through the service) so tests of other parts do
    not depend on the service's e-mails and checks.
    """
    from django.utils import timezone

    from openmentor.mentorships.models import Mentorship, MentorshipTransition

    if programme is None:
        programme = ProgrammeFactory(organisation=organisation, status=Programme.Status.RUNNING)
    people = {}
    for role, member in (("mentor", mentor), ("mentee", mentee)):
        if member is None:
            member = MembershipFactory(organisation=organisation, role=Role.PARTICIPANT)
        Profile.objects.get_or_create(
            organisation=organisation,
            user=member.user,
            defaults={
                "timezone": "Europe/London",
                "languages": ["en"],
                "availability": [{"day": "tue", "start": "09:00", "end": "12:00"}],
            },
        )
        Enrolment.objects.get_or_create(
            programme=programme,
            user=member.user,
            role=role,
            defaults={"matched_at": timezone.now()},
        )
        people[role] = member
    now = timezone.now()
    mentorship = Mentorship.objects.create(
        programme=programme,
        mentor=people["mentor"].user,
        mentee=people["mentee"].user,
        status=Mentorship.Status.ACTIVE,
        started_at=now,
        mentor_accepted_at=now,
        mentee_accepted_at=now,
        confidentiality_accepted=True,
    )
    MentorshipTransition.objects.create(mentorship=mentorship, to_status="active")
    return mentorship
