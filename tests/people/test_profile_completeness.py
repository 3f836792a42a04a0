"""The completeness meter: what is missing differs for mentors and mentees."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from openmentor.people.completeness import profile_completeness
from openmentor.people.models import Profile


def complete_profile(**changes: object) -> Profile:
    fields: dict[str, object] = {
        "job_title": "Engineer",
        "department": "R&D",
        "seniority_years": 3,
        "languages": ["en"],
        "availability": [{"day": "mon", "start": "09:00", "end": "10:00"}],
        "bio": "Ten years of backend work.",
        "skills_offered": ["python"],
        "mentor_capacity": 2,
        "goals": "Become a tech lead.",
        "skills_wanted": ["leadership"],
    }
    fields.update(changes)
    return Profile(**fields)  # type: ignore[misc]


def test_a_complete_profile_is_100_for_every_role() -> None:
    for roles in ([], ["mentor"], ["mentee"], ["mentor", "mentee"]):
        assert profile_completeness(complete_profile(), roles) == (100, [])


def test_mentors_are_asked_for_a_bio_skills_offered_and_a_capacity() -> None:
    profile = complete_profile(bio="  ", skills_offered=[], mentor_capacity=0, goals="")
    percent, missing = profile_completeness(profile, ["mentor"])
    assert missing == [
        "a short bio",
        "the skills you offer",
        "how many mentees you can take (at least 1)",
    ]
    assert percent == 62  # 5 of 8, rounded down


def test_mentees_are_asked_for_goals_and_skills_wanted() -> None:
    profile = complete_profile(goals="", skills_wanted=[], bio="", skills_offered=[])
    percent, missing = profile_completeness(profile, {"mentee"})
    assert missing == ["your goals", "the skills you want to develop"]
    assert percent == 71


def test_an_empty_profile_lists_everything_in_order() -> None:
    percent, missing = profile_completeness(Profile(), ["mentee"])
    assert percent == 0
    assert missing[0] == "your job title" and missing[-1] == "the skills you want to develop"


@given(
    job_title=st.sampled_from(["", "Engineer"]),
    languages=st.sampled_from([[], ["en"]]),
    bio=st.sampled_from(["", "bio"]),
    goals=st.sampled_from(["", "goals"]),
    capacity=st.integers(min_value=0, max_value=20),
    roles=st.sets(st.sampled_from(["mentor", "mentee"])),
)
def test_100_exactly_when_nothing_is_missing(
    job_title: str, languages: list[str], bio: str, goals: str, capacity: int, roles: set[str]
) -> None:
    profile = complete_profile(
        job_title=job_title, languages=languages, bio=bio, goals=goals, mentor_capacity=capacity
    )
    percent, missing = profile_completeness(profile, roles)
    assert 0 <= percent <= 100
    assert (percent == 100) == (missing == [])
