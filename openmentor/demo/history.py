"""A year of Northwind's mentoring before the visitor arrives.

Without a past, the demo could not show its best features on the first visit: the
check-in opens three weeks into a mentorship, suggested times need a pair with free time
in common, and the outcomes report needs ended mentorships and ratings. So:

- a 2026 pilot programme, running, with 36 mentorships of several ages (a week to ten
  months), meetings held, check-ins, and 14 that ended (most within 90 days, with their
  reasons) rated at the end; its outcomes report has a figure in every band;
- the demo pair (mentor1, mentee1) a month in, a meeting held two weeks ago, the
  check-in open, and weekly free time that overlaps across Sydney and Berlin.

The pilot draws on the same people as the 2027 programme but is its own programme, so
matching the 2027 cohort is not changed by it.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from openmentor.feedback.models import MentorshipRating
from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Mentorship, MentorshipTransition
from openmentor.organisations.models import Organisation
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme

PILOT_SLUG = "pilot-2026"
PILOT_PAIRS = 36
PILOT_ENDED = 14
# Ages in days of the pilot's mentorships: from a week to ten months.
AGES = [7, 12, 20, 26, 33, 41, 48, 55, 62, 70, 84, 97, 110, 130, 150, 175, 200, 240, 300]


def seed_history(
    *,
    organisation: Organisation,
    manager_id: int,
    mentors: list[Enrolment],
    mentees: list[Enrolment],
    rng: random.Random,
    now: datetime,
) -> Programme:
    pilot = Programme.objects.create(
        organisation=organisation,
        name="Northwind Mentoring Pilot 2026",
        slug=PILOT_SLUG,
        description="The first year of mentoring at Northwind, now under way.",
        status=Programme.Status.RUNNING,
        starts_on=date(2026, 2, 2),
        ends_on=date(2027, 1, 29),
        agreement_text="We meet every two weeks and keep what we share confidential.",
        created_by_id=manager_id,
    )
    # Mentors 3.. and mentees 3..: the demo logins (1, 2) keep a simple history.
    pilot_mentors = [e.user for e in mentors[2 : 2 + PILOT_PAIRS // 2]]
    pilot_mentees = [e.user for e in mentees[2 : 2 + PILOT_PAIRS]]
    for user in pilot_mentors:
        Enrolment.objects.create(
            programme=pilot, user=user, role=Enrolment.Role.MENTOR, matched_at=now
        )
    reasons = [
        Mentorship.EndReason.SCHEDULE,
        Mentorship.EndReason.CHEMISTRY,
        Mentorship.EndReason.GOALS_MET,
        Mentorship.EndReason.OTHER,
    ]
    ratings: list[MentorshipRating] = []
    meetings: list[Meeting] = []
    for i, mentee in enumerate(pilot_mentees):
        mentor = pilot_mentors[i % len(pilot_mentors)]
        Enrolment.objects.create(
            programme=pilot, user=mentee, role=Enrolment.Role.MENTEE, matched_at=now
        )
        age = AGES[i % len(AGES)] + rng.randint(0, 3)
        started = now - timedelta(days=age)
        # Scores across the outcome bands; lower scores end early more often, as in life.
        score = round(rng.uniform(0.3, 0.95), 3)
        ended = i < PILOT_ENDED
        lasted = min(age - 1, rng.randint(20, 80) if score < 0.6 else rng.randint(40, 150))
        mentorship = Mentorship.objects.create(
            programme=pilot,
            mentor=mentor,
            mentee=mentee,
            status=Mentorship.Status.ENDED if ended else Mentorship.Status.ACTIVE,
            source=Mentorship.Source.MATCHING,
            started_at=started,
            mentor_accepted_at=started,
            mentee_accepted_at=started,
            confidentiality_accepted=True,
            match_score=score,
            match_reasons=[
                {"factor": "skills", "contribution": 0.3, "detail": "shares leadership"},
                {"factor": "languages", "contribution": 0.0, "detail": "both speak English"},
            ],
            ended_at=started + timedelta(days=lasted) if ended else None,
            end_reason=reasons[i % len(reasons)] if ended else "",
        )
        Mentorship.objects.filter(pk=mentorship.pk).update(created_at=started)
        MentorshipTransition.objects.create(mentorship=mentorship, to_status="active")
        if ended:
            MentorshipTransition.objects.create(
                mentorship=mentorship, from_status="active", to_status="ended"
            )
        # A meeting every two weeks while it ran, up to now or its end.
        until = mentorship.ended_at or now
        when = started + timedelta(days=3)
        while when < until - timedelta(hours=1):
            meetings.append(
                Meeting(
                    mentorship=mentorship,
                    starts_at=when.replace(minute=0, second=0, microsecond=0),
                    duration_minutes=30,
                    status=Meeting.Status.ACCEPTED,
                    proposed_by=mentor,
                )
            )
            when += timedelta(days=14)
        for author in (mentor, mentee):
            rating = max(1, min(5, round(1 + score * 4 + rng.uniform(-1, 0.6))))
            if ended:
                ratings.append(
                    MentorshipRating(
                        mentorship=mentorship,
                        author=author,
                        rating=rating,
                        moment=MentorshipRating.Moment.ENDING,
                    )
                )
            if age > 21 and (ended or rng.random() < 0.8):
                ratings.append(
                    MentorshipRating(
                        mentorship=mentorship,
                        author=author,
                        rating=rating,
                        moment=MentorshipRating.Moment.CHECKIN,
                    )
                )
    Meeting.objects.bulk_create(meetings)
    MentorshipRating.objects.bulk_create(ratings)
    return pilot


def shared_free_time(*, organisation: Organisation, mentor_id: int, mentee_id: int) -> None:
    """The demo pair: a mentor in Sydney and a mentee in Berlin whose evenings and
    mornings meet (18:00–21:00 in Sydney is 08:00–11:00 in Berlin in the northern
    winter), so "Propose a meeting" suggests times at once."""
    days = ("mon", "tue", "wed", "thu")
    Profile.objects.filter(organisation=organisation, user_id=mentor_id).update(
        timezone="Australia/Sydney",
        availability=[{"day": d, "start": "18:00", "end": "21:00"} for d in days],
    )
    Profile.objects.filter(organisation=organisation, user_id=mentee_id).update(
        timezone="Europe/Berlin",
        availability=[{"day": d, "start": "08:00", "end": "11:00"} for d in days],
    )
