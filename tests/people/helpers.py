"""What the profile tests share: a complete valid POST and a snapshot of a stored profile."""

from __future__ import annotations

from typing import Any

from openmentor.accounts.models import User
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from tests.factories import (  # noqa: F401 - the people tests import them from here
    make_member,
    make_profile,
    make_programme,
)


def enrol(programme: Programme, user: User, role: str) -> Enrolment:
    return Enrolment.objects.create(programme=programme, user=user, role=role)


FIELDS = (
    "job_title",
    "department",
    "reports_to_id",
    "seniority_years",
    "skills_offered",
    "skills_wanted",
    "goals",
    "bio",
    "timezone",
    "languages",
    "availability",
    "mentor_capacity",
    "photo",
    "completeness",
)


def valid_post(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "job_title": "Data analyst",
        "department": "Finance",
        "reports_to": "",
        "seniority_years": "4",
        "skills_offered": ["python"],
        "skills_wanted": ["leadership"],
        "goals": "Lead a small team within a year.",
        "bio": "Analyst who likes teaching SQL.",
        "timezone": "Europe/Berlin",
        "languages": ["en", "de"],
        "availability": ["tue-09:00", "tue-09:30", "thu-17:00"],
        "mentor_capacity": "2",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def snapshot(profile: Profile) -> dict[str, Any]:
    profile.refresh_from_db()
    return {name: getattr(profile, name) for name in FIELDS if name != "photo"} | {
        "photo": profile.photo.name if profile.photo else None
    }
