"""Whole lifecycle phases built in one call, so each test states only what is special."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openmentor.feedback.models import MentorshipRating
from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Mentorship, MentorshipTransition
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from tests.factories import (
    MeetingFactory,
    MembershipFactory,
    MentorshipFactory,
    ProfileFactory,
    ProgrammeFactory,
)

SKILLS = ["python", "leadership", "public speaking", "negotiation", "data analysis"]


@dataclass
class EnrollingProgramme:
    organisation: Organisation
    programme: Programme
    manager: Membership
    mentors: list[Enrolment] = field(default_factory=list)
    mentees: list[Enrolment] = field(default_factory=list)
    peers: list[Enrolment] = field(default_factory=list)


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


def peer_cohort(
    organisation: Organisation, *, peers: int = 4, **programme_fields: object
) -> EnrollingProgramme:
    """A peer programme open for enrolment: everyone enrolled once, as a peer, with
    complete profiles that fit each other (same language, overlapping hours)."""
    scenario = enrolling_programme(
        organisation, mentors=0, mentees=0, kind=Programme.Kind.PEER, **programme_fields
    )
    for i in range(peers):
        member = MembershipFactory(organisation=organisation, role=Role.PARTICIPANT)
        ProfileFactory(
            organisation=organisation,
            user=member.user,
            skills_offered=[SKILLS[(i + 1) % 5]],
            skills_wanted=[SKILLS[i % 5]],
            goals="Learn from colleagues",
            availability=[{"day": "tue", "start": "09:00", "end": "11:00"}],
            seniority_years=3 + i,
        )
        scenario.peers.append(
            Enrolment.objects.create(
                programme=scenario.programme, user=member.user, role=Enrolment.Role.PEER
            )
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
    weeks_old: int = 0,
) -> Mentorship:
    """An active mentorship in a running programme, with enrolments and profiles for both.

    Pass the Tenant's participant as `mentee` (or `mentor`) to make a pair that person
    belongs to; `weeks_old` makes it started (and created) that many weeks ago. Written directly (not through the service) so tests of other parts do
    not depend on the service's e-mails and checks.
    """
    from django.utils import timezone

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
    mentorship = MentorshipFactory(
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
    if weeks_old:
        started = now - dt.timedelta(weeks=weeks_old)
        Mentorship.objects.filter(pk=mentorship.pk).update(started_at=started, created_at=started)
        mentorship.refresh_from_db()
    return mentorship


@dataclass
class MatchedProgramme(EnrollingProgramme):
    """An enrolling programme after matching was published: one proposed pair a mentee."""

    mentorships: list[Mentorship] = field(default_factory=list)


def matched_programme(
    organisation: Organisation, *, mentors: int = 2, mentees: int = 4, **programme_fields: object
) -> MatchedProgramme:
    """Each mentee paired with a mentor in turn (score 0.8), both enrolments matched, the
    pairs proposed and waiting for their agreement; the programme is matching."""
    from django.utils import timezone

    enrolling = enrolling_programme(
        organisation, mentors=mentors, mentees=mentees, **programme_fields
    )
    scenario = MatchedProgramme(**vars(enrolling))
    Programme.objects.filter(pk=scenario.programme.pk).update(status=Programme.Status.MATCHING)
    scenario.programme.refresh_from_db()
    now = timezone.now()
    for i, mentee in enumerate(scenario.mentees):
        mentor = scenario.mentors[i % len(scenario.mentors)]
        scenario.mentorships.append(
            MentorshipFactory(
                programme=scenario.programme,
                mentor=mentor.user,
                mentee=mentee.user,
                match_score=0.8,
                source=Mentorship.Source.MATCHING,
            )
        )
        Enrolment.objects.filter(pk__in=[mentee.pk, mentor.pk]).update(matched_at=now)
    return scenario


@dataclass
class RunningProgramme(MatchedProgramme):
    """A running programme whose pairs have met and said how it is going."""

    meetings: list[Meeting] = field(default_factory=list)
    ratings: list[MentorshipRating] = field(default_factory=list)


def running_programme(
    organisation: Organisation,
    *,
    mentors: int = 2,
    mentees: int = 4,
    weeks_old: int = 6,
    meetings_held: int = 2,
    rating: int | None = 4,
    **programme_fields: object,
) -> RunningProgramme:
    """A matched programme, then running: every pair active for `weeks_old` weeks, with
    `meetings_held` accepted meetings in the past (one a week from the start) and, unless
    `rating` is None, a check-in of `rating` from each member."""
    from django.utils import timezone

    matched = matched_programme(organisation, mentors=mentors, mentees=mentees, **programme_fields)
    scenario = RunningProgramme(**vars(matched))
    Programme.objects.filter(pk=scenario.programme.pk).update(status=Programme.Status.RUNNING)
    scenario.programme.refresh_from_db()
    started = timezone.now() - dt.timedelta(weeks=weeks_old)
    for mentorship in scenario.mentorships:
        Mentorship.objects.filter(pk=mentorship.pk).update(
            status=Mentorship.Status.ACTIVE,
            created_at=started,
            started_at=started,
            mentor_accepted_at=started,
            mentee_accepted_at=started,
            confidentiality_accepted=True,
        )
        mentorship.refresh_from_db()
        for week in range(meetings_held):
            scenario.meetings.append(
                MeetingFactory(
                    mentorship=mentorship,
                    starts_at=started + dt.timedelta(weeks=week + 1),
                    status=Meeting.Status.ACCEPTED,
                )
            )
        if rating is not None:
            for author in (mentorship.mentee, mentorship.mentor):
                scenario.ratings.append(
                    MentorshipRating.objects.create(
                        mentorship=mentorship,
                        author=author,
                        rating=rating,
                        moment=MentorshipRating.Moment.CHECKIN,
                    )
                )
    return scenario
