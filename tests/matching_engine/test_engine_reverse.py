"""Reverse mentoring in the engine: the seniority factor can prefer a more junior mentor,
and a rule can require one."""

from __future__ import annotations

from typing import Any

import pytest

from openmentor.matching.engine import ProblemError, load_problem, solve


def problem(**settings: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "mentees": [{"id": "senior", "seniority": 20}, {"id": "unknown"}],
        "mentors": [
            {"id": "junior", "seniority": 2, "capacity": 1},
            {"id": "elder", "seniority": 30, "capacity": 1},
        ],
        "settings": {"weights": {"seniority": 1.0}, **settings},
    }


def pairs(d: dict[str, Any]) -> dict[str, str]:
    return {m.mentee: m.mentor for m in solve(load_problem(d)).matches}


def test_by_default_the_more_senior_mentor_is_preferred() -> None:
    assert pairs(problem())["senior"] == "elder"


def test_mentee_ahead_prefers_the_junior_mentor_and_says_so() -> None:
    result = solve(load_problem(problem(seniority_direction="mentee_ahead")))
    match = next(m for m in result.matches if m.mentee == "senior")
    assert match.mentor == "junior"
    assert match.score == 1.0
    assert match.reasons[0].detail == "mentor 18 years junior (preferred 5)"
    # still a preference: the unknown mentee gets the remaining mentor
    assert {m.mentee for m in result.matches} == {"senior", "unknown"}


def test_the_rule_requires_a_less_senior_mentor_and_unknown_seniority_fails() -> None:
    d = problem(seniority_direction="mentee_ahead", rules={"mentor_less_senior": True})
    d["mentees"].append({"id": "novice", "seniority": 1})
    result = solve(load_problem(d))
    assert {m.mentee: m.mentor for m in result.matches} == {"senior": "junior"}
    reasons = {u.mentee: u.reason for u in result.unmatched}
    assert (
        reasons["novice"] == "no mentor is known to be less senior (reverse mentoring requires it)"
    )
    assert reasons["unknown"] == reasons["novice"]


def test_bad_reverse_settings_name_the_path() -> None:
    with pytest.raises(ProblemError) as error:
        load_problem(problem(seniority_direction="sideways", rules={"mentor_less_senior": "yes"}))
    assert (
        "settings.seniority_direction: must be 'mentor_ahead' or 'mentee_ahead'"
        in error.value.errors
    )
    assert "settings.rules.mentor_less_senior: must be true or false" in error.value.errors
