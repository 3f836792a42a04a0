"""Degenerate cohorts: no mentees, no mentors, no candidates, full mentors, everything locked."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from openmentor.matching.engine import load_problem, recommend, solve
from openmentor.matching.engine.api import _in_sorted
from openmentor.matching.engine.model import Objective


def _scores(
    es: list[dict[str, Any]],
    ms: list[dict[str, Any]],
    scores: list[list[Any]] | None = None,
    locked: list[list[str]] = (),  # type: ignore[assignment]
    **settings: Any,
) -> dict[str, Any]:
    d: dict[str, Any] = {
        "version": 1,
        "mentees": es,
        "mentors": ms,
        "locked_pairs": [list(x) for x in locked],
        "settings": {"candidates_per_mentee": 1, **settings},
    }
    if scores is not None:
        d["scores"] = scores
    return d


def _pairs(d: dict[str, Any]) -> tuple[Objective, list[tuple[str, str]]]:
    r = solve(load_problem(d))
    pairs = [(m.mentee, m.mentor) for m in r.matches]
    assert len(pairs) == len(set(pairs)), "a pair was matched twice"
    assert r.objective.upper_bound == r.objective.total_score
    return r.objective, pairs


def test_in_sorted_handles_an_empty_set() -> None:
    c = np.array([[1, 2], [3, 4]], dtype=np.int64)
    assert not _in_sorted(np.zeros(0, dtype=np.int64), c).any()
    assert _in_sorted(np.array([2, 4], dtype=np.int64), c).tolist() == [
        [False, True],
        [False, True],
    ]


def test_only_candidate_is_locked() -> None:
    # Regression: IndexError in pricing when no candidate was left after removing locks.
    d = _scores(
        [{"id": "e0", "wants": 1}],
        [{"id": "m0", "capacity": 0}, {"id": "m1", "capacity": 1}, {"id": "m2", "capacity": 0}],
        [["e0", "m1", 0.01], ["e0", "m2", 0.0]],
        [["e0", "m1"]],
        min_score=0.0,
    )
    o, pairs = _pairs(d)
    assert pairs == [("e0", "m1")]
    assert (o.mentees_matched, o.matched_pairs, o.total_score) == (1, 1, 0.01)


def test_locked_pair_is_never_matched_twice() -> None:
    # Regression: pricing offered the locked pair again and the flow chose it a second time.
    d = _scores(
        [{"id": "e0", "wants": 2}, {"id": "e1"}],
        [{"id": "m0", "capacity": 1}, {"id": "m1", "capacity": 3}],
        [["e0", "m1", 0.9], ["e0", "m0", 0.1], ["e1", "m0", 0.3]],
        [["e0", "m1"]],
    )
    o, pairs = _pairs(d)
    assert sorted(pairs) == [("e0", "m1"), ("e1", "m0")]
    assert (o.mentees_matched, o.matched_pairs) == (2, 2)


def test_locked_pair_is_never_matched_twice_on_profiles() -> None:
    d = _scores(
        [{"id": "e0", "skills": ["a"], "wants": 2}],
        [{"id": "m0", "skills": ["a"], "capacity": 2}, {"id": "m1", "capacity": 1}],
        locked=[["e0", "m0"]],
    )
    o, pairs = _pairs(d)
    assert sorted(pairs) == [("e0", "m0"), ("e0", "m1")]


def test_everything_locked() -> None:
    d = _scores(
        [{"id": "e0"}, {"id": "e1"}],
        [{"id": "m0", "capacity": 1}, {"id": "m1", "capacity": 1}],
        [["e0", "m0", 0.5], ["e1", "m1", 0.7], ["e0", "m1", 0.9]],
        [["e0", "m0"], ["e1", "m1"]],
    )
    o, pairs = _pairs(d)
    assert sorted(pairs) == [("e0", "m0"), ("e1", "m1")]
    assert o.candidates == 3  # the left-out pair (e0, m1) plus the two locks, never a lock twice


@pytest.mark.parametrize("profiles", [False, True])
def test_all_mentors_at_capacity_zero(profiles: bool) -> None:
    es = [{"id": "e0", "skills": ["a"]}, {"id": "e1", "skills": ["a"]}]
    ms = [{"id": "m0", "capacity": 0, "skills": ["a"]}, {"id": "m1", "capacity": 0}]
    if profiles:
        d = _scores(es, ms)
    else:
        d = _scores(
            [{"id": "e0"}, {"id": "e1"}],
            [{"id": "m0", "capacity": 0}, {"id": "m1", "capacity": 0}],
            [["e0", "m0", 0.5], ["e1", "m1", 0.7]],
        )
    o, pairs = _pairs(d)
    assert pairs == [] and o.mentees_matched == 0 and o.total_score == 0


@pytest.mark.parametrize(
    "d",
    [
        _scores([{"id": "e0"}], [{"id": "m0"}], []),  # no candidate pair at all
        _scores([{"id": "e0"}], [{"id": "m0"}], [["e0", "m0", 0.1]], min_score=0.5),
        _scores([], [{"id": "m0"}], []),  # no mentees
        _scores([{"id": "e0"}], [], []),  # no mentors
        _scores([], [], []),
        _scores([{"id": "e0", "skills": ["a"]}], []),  # profiles, no mentors
        _scores([], [{"id": "m0", "skills": ["a"]}]),  # profiles, no mentees
    ],
    ids=["no-pairs", "below-min-score", "no-mentees", "no-mentors", "empty", "p-no-m", "p-no-e"],
)
def test_nothing_to_match(d: dict[str, Any]) -> None:
    o, pairs = _pairs(d)
    assert pairs == [] and o.matched_pairs == 0 and o.upper_bound == 0


def test_recommend_when_every_mentor_is_full() -> None:
    d = _scores([{"id": "e0", "skills": ["a"]}], [{"id": "m0", "skills": ["a"], "capacity": 0}])
    assert recommend(load_problem(d), mentee_id="e0") == []
    assert [r.id for r in recommend(load_problem(d), mentor_id="m0")] == ["e0"]
