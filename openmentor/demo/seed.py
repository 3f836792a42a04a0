"""The Northwind demo organisation: believable data for every feature to show."""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.events import EventKind, event_record
from openmentor.demo.history import seed_history, shared_free_time
from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Goal, Mentorship, MentorshipTransition
from openmentor.messaging.models import Message
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.people.completeness import profile_completeness
from openmentor.people.models import Profile, SelfIdentification
from openmentor.programmes.models import (
    Ambassador,
    Answer,
    Campaign,
    CampaignDelivery,
    Enrolment,
    Programme,
    Question,
)

DEMO_SLUG = "northwind"
DEMO_PASSWORD = "northwind-demo"  # noqa: S105 - public demo login, printed by make run
DEMO_LOGINS = [
    ("owner@northwind.example", "owner"),
    ("manager@northwind.example", "programme manager"),
    ("mentor1@northwind.example", "mentor"),
    ("mentee1@northwind.example", "mentee"),
]
MENTORS = 40
MENTEES = 120

FIRST = [
    "Amara",
    "Ben",
    "Chen",
    "Dara",
    "Elif",
    "Farah",
    "Gabriel",
    "Hana",
    "Ines",
    "Jonas",
    "Kenji",
    "Lena",
    "Mateo",
    "Nia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Samir",
    "Tariq",
    "Uma",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zofia",
    "Aiko",
    "Bruno",
    "Carmen",
    "Diego",
    "Emeka",
    "Fatima",
    "Goran",
    "Helga",
    "Ivan",
    "Jia",
    "Kofi",
    "Leila",
    "Marta",
    "Noor",
]
LAST = [
    "Okafor",
    "Larsen",
    "Nakamura",
    "Silva",
    "Haddad",
    "Kowalski",
    "Müller",
    "Osei",
    "Fernandes",
    "Novak",
    "Rahman",
    "Dubois",
    "Andersson",
    "Costa",
    "Ibrahim",
    "Kim",
    "Moreau",
    "Petrov",
    "Singh",
    "Tanaka",
    "Walsh",
    "Yilmaz",
    "Zhang",
    "Ahmed",
    "Berg",
]
SKILLS = [
    "python",
    "data analysis",
    "machine learning",
    "product management",
    "leadership",
    "public speaking",
    "negotiation",
    "career planning",
    "ux research",
    "cloud infrastructure",
    "security",
    "finance",
    "marketing",
    "sales",
    "people management",
    "writing",
    "project management",
    "frontend",
    "devops",
    "strategy",
]
DEPARTMENTS = ["Engineering", "Product", "Sales", "Marketing", "Finance", "People", "Operations"]
TIMEZONES = [
    "Europe/London",
    "Europe/Berlin",
    "Europe/Lisbon",
    "America/New_York",
    "America/Chicago",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
    "Africa/Lagos",
]
LANGUAGE_BY_TZ = {
    "Europe/Berlin": "de",
    "Europe/Lisbon": "pt",
    "America/Sao_Paulo": "pt",
    "Asia/Kolkata": "hi",
    "Asia/Singapore": "zh",
    "Africa/Lagos": "yo",
}
GOALS = [
    "I want to grow into a team lead and learn how to give useful feedback.",
    "Move from analysis into machine learning engineering within a year.",
    "Get better at presenting to senior stakeholders without freezing up.",
    "Understand how product decisions are made and move into product management.",
    "Build confidence negotiating my salary and scope.",
    "Learn to run reliable cloud infrastructure and on-call well.",
    "Plan the next five years of my career and find a direction.",
    "Improve my writing so design documents get read and approved.",
]
BIOS = [
    "I have led teams through two reorganisations and enjoy helping people find their feet.",
    "Fifteen years in data, from spreadsheets to production ML systems.",
    "I coach speakers for our internal conference and love a good story.",
    "Product lead who came from engineering; happy to talk about the switch.",
    "Seasoned negotiator from enterprise sales; ask me about difficult conversations.",
    "Site reliability engineer who has been paged at 3 a.m. more often than I like.",
]


def _availability(rng: random.Random) -> list[dict[str, str]]:
    days = rng.sample(["mon", "tue", "wed", "thu", "fri"], k=rng.randint(2, 4))
    slots = []
    for day in sorted(days):
        start = rng.choice([8, 9, 10, 12, 14, 16])
        slots.append({"day": day, "start": f"{start:02d}:00", "end": f"{start + 2:02d}:00"})
    return slots


@transaction.atomic
def seed_demo(seed: int = 2026) -> bool:
    """Builds Northwind once; returns False when it was there already."""
    if Organisation.objects.filter(slug=DEMO_SLUG).exists():
        return False
    rng = random.Random(seed)
    password = make_password(DEMO_PASSWORD)  # hashed once: Argon2 per user would be slow
    organisation = Organisation.objects.create(name="Northwind Traders", slug=DEMO_SLUG)

    def person(email: str, first: str, last: str) -> User:
        user, _ = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last, "password": password}
        )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    owner = person("owner@northwind.example", "Olivia", "Owens")
    manager = person("manager@northwind.example", "Marcus", "Reyes")
    Membership.objects.create(organisation=organisation, user=owner, role=Role.OWNER)
    Membership.objects.create(organisation=organisation, user=manager, role=Role.MANAGER)
    programme = Programme.objects.create(
        organisation=organisation,
        name="Northwind Mentoring 2027",
        slug="mentoring-2027",
        description="Our company-wide one-to-one mentoring programme.",
        status=Programme.Status.ENROLLING,
        starts_on=date(2027, 1, 11),
        ends_on=date(2027, 7, 9),
        matching_mode=Programme.MatchingMode.BOTH,
        skills=SKILLS,
        related_skills={
            "python": ["data analysis", "machine learning"],
            "leadership": ["people management"],
            "public speaking": ["writing"],
        },
        requires_approval=True,
        agreement_text=(
            "We meet about every two weeks for 30 minutes, keep what we share confidential, "
            "and tell each other early if something is not working."
        ),
        welcome_message="Welcome to Northwind Mentoring 2027! Complete your profile first.",
        join_token=secrets.token_urlsafe(32),
        created_by=manager,
    )
    questions = [
        Question.objects.create(
            programme=programme,
            position=1,
            kind=Question.Kind.SINGLE,
            text="How would you rather meet?",
            required=True,
            choices=["Video call", "Phone", "In person when possible"],
            feeds_matching=True,
            matching_weight=0.5,
        ),
        Question.objects.create(
            programme=programme,
            position=2,
            kind=Question.Kind.MULTIPLE,
            text="What would you like to focus on?",
            choices=["Career direction", "Technical depth", "Leadership", "Confidence"],
            feeds_matching=True,
            matching_weight=1.0,
        ),
        Question.objects.create(
            programme=programme,
            position=3,
            kind=Question.Kind.SCALE,
            text="How settled do you feel in your career right now? (1–5)",
        ),
    ]
    enrolments: dict[str, Enrolment] = {}
    for kind, count in (("mentor", MENTORS), ("mentee", MENTEES)):
        for i in range(1, count + 1):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            user = person(f"{kind}{i}@northwind.example", first, last)
            Membership.objects.create(organisation=organisation, user=user, role=Role.PARTICIPANT)
            tz = rng.choice(TIMEZONES)
            languages = ["en"] + ([LANGUAGE_BY_TZ[tz]] if tz in LANGUAGE_BY_TZ else [])
            if rng.random() < 0.15:
                languages.append(rng.choice(["fr", "es", "ar"]))
            skills = rng.sample(SKILLS, k=rng.randint(2, 5))
            is_mentor = kind == "mentor"
            Profile.objects.create(
                organisation=organisation,
                user=user,
                job_title=rng.choice(["Engineer", "Analyst", "Designer", "Manager", "Specialist"])
                if not is_mentor
                else rng.choice(["Director", "Principal Engineer", "Head of Product", "Lead"]),
                department=rng.choice(DEPARTMENTS),
                seniority_years=rng.randint(8, 25) if is_mentor else rng.randint(0, 7),
                bio=rng.choice(BIOS) if is_mentor else "",
                goals="" if is_mentor else rng.choice(GOALS),
                timezone=tz,
                languages=sorted(set(languages)),
                skills_offered=skills if is_mentor else [],
                skills_wanted=[] if is_mentor else skills,
                availability=_availability(rng),
                mentor_capacity=rng.choice([2, 3, 4]) if is_mentor else 0,
            )
            enrolment = Enrolment.objects.create(
                programme=programme,
                user=user,
                role=Enrolment.Role.MENTOR if is_mentor else Enrolment.Role.MENTEE,
                status=Enrolment.Status.PENDING if i > count - 3 else Enrolment.Status.ACTIVE,
                source=Enrolment.Source.INVITATION,
                agreement_accepted_at=timezone.now(),
            )
            enrolments[user.email] = enrolment
            Answer.objects.bulk_create(
                [
                    Answer(
                        enrolment=enrolment,
                        question=questions[0],
                        value=rng.choice(questions[0].choices),
                    ),
                    Answer(
                        enrolment=enrolment,
                        question=questions[1],
                        value=rng.sample(questions[1].choices, k=rng.randint(1, 2)),
                    ),
                    Answer(enrolment=enrolment, question=questions[2], value=rng.randint(1, 5)),
                ]
            )
    for profile in Profile.objects.filter(organisation=organisation):
        role = "mentor" if profile.user.email.startswith("mentor") else "mentee"
        profile.completeness = profile_completeness(profile, [role])[0]
        profile.save(update_fields=["completeness"])
    _seed_self_identification(organisation=organisation, enrolments=enrolments, rng=rng)
    _seed_promotion(programme=programme, manager=manager, enrolments=enrolments, rng=rng)
    _seed_first_mentorship(programme=programme, enrolments=enrolments)
    seed_history(
        organisation=organisation,
        manager_id=manager.pk,
        mentors=[e for _, e in _by_number(enrolments, "mentor")],
        mentees=[e for _, e in _by_number(enrolments, "mentee")],
        rng=rng,
        now=timezone.now(),
    )
    shared_free_time(
        organisation=organisation,
        mentor_id=enrolments["mentor1@northwind.example"].user_id,
        mentee_id=enrolments["mentee1@northwind.example"].user_id,
    )
    # The history above was written straight into its tables: record it as activity too,
    # so the programme's relationship health has something to read on the first visit.
    from django.apps import apps

    from openmentor.tracking.backfill import activity_backfill

    activity_backfill(apps.get_model, now=timezone.now())
    event_record(organisation=organisation, actor=owner, kind=EventKind.ORGANISATION_CREATED)
    return True


def _by_number(enrolments: dict[str, Enrolment], kind: str) -> list[tuple[str, Enrolment]]:
    """mentor1, mentor2, … in number order (not mentor1, mentor10, …)."""
    rows = [(email, e) for email, e in enrolments.items() if email.startswith(kind)]
    return sorted(rows, key=lambda row: int(row[0].split("@")[0].removeprefix(kind)))


def _seed_self_identification(
    *, organisation: Organisation, enrolments: dict[str, Enrolment], rng: random.Random
) -> None:
    """Most people answered the voluntary questions, so the fairness audit has groups."""
    rows = []
    for email, enrolment in sorted(enrolments.items()):
        if rng.random() < 0.15:
            continue  # did not answer
        age_band = (
            rng.choice(["35_44", "45_54", "55_64"])
            if email.startswith("mentor")
            else rng.choice(["under_25", "25_34", "25_34", "35_44"])
        )
        rows.append(
            SelfIdentification(
                organisation=organisation,
                user=enrolment.user,
                gender=rng.choice(
                    ["woman", "man", "woman", "man", "non_binary", "prefer_not_to_say"]
                ),
                ethnicity=rng.choice(["asian", "black", "white", "hispanic_latino", "mixed", ""]),
                age_band=age_band,
            )
        )
    SelfIdentification.objects.bulk_create(rows)


def _seed_promotion(
    *, programme: Programme, manager: User, enrolments: dict[str, Enrolment], rng: random.Random
) -> None:
    """A sent campaign that brought some people in, and an ambassador with a link."""
    campaign = Campaign.objects.create(
        programme=programme,
        subject="Mentoring 2027 is open: find a mentor, or become one",
        body_markdown=(
            "Our **2027 mentoring programme** is open. Mentors give about an hour a month; "
            "mentees choose their own goals.\n\nEnrol before 20 December."
        ),
        audience=Campaign.Audience.NOT_ENROLLED,
        status=Campaign.Status.SENT,
        link_token=secrets.token_urlsafe(16),
        created_by=manager,
        sent_at=timezone.now(),
    )
    CampaignDelivery.objects.bulk_create(
        CampaignDelivery(campaign=campaign, email=email) for email in sorted(enrolments)[:60]
    )
    brought_in = [e for email, e in sorted(enrolments.items()) if email.startswith("mentee")][:12]
    Enrolment.objects.filter(pk__in=[e.pk for e in brought_in]).update(
        source=Enrolment.Source.CAMPAIGN, campaign=campaign
    )
    ambassador = Ambassador.objects.create(
        programme=programme,
        user=enrolments["mentor2@northwind.example"].user,
        link_token=secrets.token_urlsafe(16),
    )
    Enrolment.objects.filter(
        pk__in=[e.pk for e in rng.sample(list(enrolments.values()), k=5) if e not in brought_in]
    ).update(source=Enrolment.Source.AMBASSADOR, ambassador=ambassador)


def _seed_first_mentorship(*, programme: Programme, enrolments: dict[str, Enrolment]) -> None:
    """mentor1 and mentee1 already work together, so their home pages have something to show."""
    mentor = enrolments["mentor1@northwind.example"]
    mentee = enrolments["mentee1@northwind.example"]
    now = timezone.now()
    mentorship = Mentorship.objects.create(
        programme=programme,
        mentor=mentor.user,
        mentee=mentee.user,
        status=Mentorship.Status.ACTIVE,
        source=Mentorship.Source.MANAGER,
        # A month in: the check-in (three weeks after the start) is open on the first visit.
        started_at=now - timedelta(days=30),
        mentor_accepted_at=now - timedelta(days=31),
        mentee_accepted_at=now - timedelta(days=30),
        confidentiality_accepted=True,
        mentor_hopes="Help with a first leadership step.",
        mentee_hopes="Learn to lead a small team.",
    )
    MentorshipTransition.objects.create(mentorship=mentorship, to_status="proposed")
    MentorshipTransition.objects.create(
        mentorship=mentorship, from_status="proposed", to_status="active"
    )
    Enrolment.objects.filter(pk__in=[mentor.pk, mentee.pk]).update(matched_at=now)
    Goal.objects.create(
        mentorship=mentorship,
        title="Run my first team retrospective",
        progress=30,
        created_by=mentee.user,
    )
    Meeting.objects.create(  # held two weeks ago: notes and health have something to show
        mentorship=mentorship,
        starts_at=(now - timedelta(days=14)).replace(minute=0, second=0, microsecond=0),
        duration_minutes=30,
        status=Meeting.Status.ACCEPTED,
        proposed_by=mentee.user,
    )
    Meeting.objects.create(
        mentorship=mentorship,
        starts_at=(now + timedelta(days=5)).replace(minute=0, second=0, microsecond=0),
        duration_minutes=30,
        status=Meeting.Status.ACCEPTED,
        proposed_by=mentor.user,
    )
    Message.objects.create(
        mentorship=mentorship,
        author=mentor.user,
        body="Looking forward to our call. Bring one situation from this week you want to talk through.",
    )
