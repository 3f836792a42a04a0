"""why_lines: the engine's reasons as the strongest few plain sentences."""

from __future__ import annotations

from openmentor.matching.explain import unmatched_line, why_lines

REASONS = [
    {"factor": "seniority", "contribution": 0.05, "detail": "mentor 6 years ahead (preferred 5)"},
    {"factor": "skills", "contribution": 0.3, "detail": "shares python, leadership"},
    {"factor": "goals", "contribution": 0.0, "detail": "goals unrelated"},
    {
        "factor": "availability",
        "contribution": 0.2,
        "detail": "3 h a week overlap in the mentee's mornings and the mentor's evenings",
    },
    {"factor": "languages", "contribution": 0.0, "detail": "both speak Portuguese"},
]


def test_strongest_first_language_last_zero_factors_left_out() -> None:
    assert why_lines(REASONS) == [
        "You both work on python and leadership",
        "About 3 hours a week when you are both free, in the mentee's mornings and the "
        "mentor's evenings",
        "The mentor is 6 years further in their career",
        "You both speak Portuguese",
    ]


def test_worded_for_the_viewer_with_their_timezone() -> None:
    lines = why_lines(REASONS, viewer_role="mentee", viewer_timezone="Europe/Lisbon")
    assert "in your mornings (Europe/Lisbon time) and your mentor's evenings" in lines[1]
    assert "your mentee's mornings" in why_lines(REASONS, viewer_role="mentor")[1]


def test_worded_in_the_programmes_words_for_the_roles() -> None:
    reverse = ("junior mentor", "senior mentee")
    goals = {"factor": "goals", "contribution": 0.2, "detail": "goals similar in meaning (0.8)"}
    junior = {"factor": "seniority", "contribution": 0.1, "detail": "mentor 19 years junior"}
    lines = why_lines([*REASONS, goals, junior], words=reverse, limit=9)
    assert "The junior mentor is 19 years earlier in their career" in lines
    assert (
        "What the senior mentee wants to achieve is close to what the junior mentor can help with"
        in lines
    )
    assert "in the senior mentee's mornings and the junior mentor's evenings" in lines[1]
    mentee_view = why_lines(REASONS, viewer_role="mentee", words=reverse)
    assert "and your junior mentor's evenings" in mentee_view[1]
    peers = why_lines([goals], words=("peer", "peer"))
    assert peers == ["What one of you wants to achieve is close to what the other can help with"]


def test_limit_and_odd_input() -> None:
    assert len(why_lines(REASONS, limit=2)) == 2 and why_lines(REASONS, limit=2)[-1].startswith(
        "You both speak"
    )
    assert why_lines(None) == [] and why_lines([]) == []
    assert why_lines([{"factor": "skills", "contribution": "x", "detail": "shares a"}, 5]) == []  # type: ignore[list-item]
    assert why_lines([{"factor": "given", "contribution": 1.0, "detail": "score supplied"}]) == []


def test_related_skills_questions_and_small_overlaps() -> None:
    lines = why_lines(
        [
            {"factor": "skills", "contribution": 0.2, "detail": "related: sql (via postgres)"},
            {"factor": "answers.q7", "contribution": 0.1, "detail": "q7: both answered remote"},
            {"factor": "availability", "contribution": 0.05, "detail": "30 min a week overlap"},
        ],
        question_labels={"q7": "How do you like to meet?"},
    )
    assert lines == [
        "You both work on related skills: sql (via postgres)",
        "You gave the same answer to “How do you like to meet?”: remote",
        "About 30 minutes a week when you are both free",
    ]


def test_unmatched_reasons_in_plain_words() -> None:
    assert unmatched_line("no mentor shares a language (speaks: fi)") == (
        "No mentor speaks their languages (fi)."
    )
    assert unmatched_line("capacity exhausted: all 3 eligible mentors are full") == (
        "All 3 mentors who would suit them are already full."
    )
    assert unmatched_line("").startswith("No reason")
