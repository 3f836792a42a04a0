"""How complete a profile is, for the person's meter and the participants list filter.

A pure function of the profile's fields and the person's roles, so imports, the
participants list and the profile page all agree on what "complete" (100) means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openmentor.people.models import Profile

MENTOR = "mentor"
MENTEE = "mentee"

Check = tuple[str, Callable[["Profile"], bool]]

# Each check: what the person is told is missing, and whether it is there.
EVERYONE: tuple[Check, ...] = (
    ("your job title", lambda p: bool(p.job_title.strip())),
    ("your department", lambda p: bool(p.department.strip())),
    ("your years of experience", lambda p: p.seniority_years is not None),
    ("the languages you speak", lambda p: bool(p.languages)),
    ("when you are available each week", lambda p: bool(p.availability)),
)
FOR_MENTORS: tuple[Check, ...] = (
    ("a short bio", lambda p: bool(p.bio.strip())),
    ("the skills you offer", lambda p: bool(p.skills_offered)),
    ("how many mentees you can take (at least 1)", lambda p: (p.mentor_capacity or 0) >= 1),
)
FOR_MENTEES: tuple[Check, ...] = (
    ("your goals", lambda p: bool(p.goals.strip())),
    ("the skills you want to develop", lambda p: bool(p.skills_wanted)),
)


def profile_completeness(profile: Profile, roles: Iterable[str]) -> tuple[int, list[str]]:
    """Percent complete (0-100) and, in order, what is still missing.

    `roles` are the person's programme roles ("mentor", "mentee"): a mentor is also asked
    for a bio, skills offered and a capacity, a mentee for goals and skills wanted. 100
    means nothing is missing: the percentage is rounded down so that it never says 100
    while something is.
    """
    role_set = set(roles)
    checks = list(EVERYONE)
    if MENTOR in role_set:
        checks.extend(FOR_MENTORS)
    if MENTEE in role_set:
        checks.extend(FOR_MENTEES)
    missing = [label for label, present in checks if not present(profile)]
    done = len(checks) - len(missing)
    return (100 * done) // len(checks), missing
