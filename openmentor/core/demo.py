"""The Northwind demo organisation: believable data for every feature to show."""

from __future__ import annotations

import random

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from openmentor.accounts.models import User
from openmentor.core.events import event_record
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme

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
    )
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
            Enrolment.objects.create(
                programme=programme,
                user=user,
                role=Enrolment.Role.MENTOR if is_mentor else Enrolment.Role.MENTEE,
                status=Enrolment.Status.PENDING if i > count - 3 else Enrolment.Status.ACTIVE,
            )
    event_record(organisation=organisation, actor=owner, kind="organisation.created")
    return True
