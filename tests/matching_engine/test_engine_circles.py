"""Circles mode: mentees join group circles (each at most one), circles have capacities."""

from __future__ import annotations

import random
from collections import Counter
from itertools import product
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openmentor.matching.engine import ProblemError, load_problem, result_to_dict, solve
from openmentor.matching.engine.model import SCORE_SCALE
from tests.matching_engine.test_engine_solver import EXAMPLES


@st.composite
def circle_instances(draw: Any, max_e: int = 5, max_c: int = 3) -> dict[str, Any]:
    """Small circles problems where some mentees also lead circles (people in a group
    programme can be both), so "nobody in a circle they lead" is exercised."""
    n = draw(st.integers(1, max_e))
    k = draw(st.integers(1, max_c))
    mentees = [{"id": f"p{i}"} for i in range(n)]
    people = [f"p{i}" for i in range(n)] + ["m0", "m1", "m2"]
    circles = []
    for c in range(k):
        leaders = draw(st.lists(st.sampled_from(people), min_size=1, max_size=2, unique=True))
        circles.append({"id": f"c{c}", "capacity": draw(st.integers(0, 3)), "mentors": leaders})
    pairs = [(e, c) for e in range(n) for c in range(k)]
    present = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    scores = [[f"p{e}", f"c{c}", draw(st.integers(0, 100)) / 100] for e, c in sorted(present)]
    forb = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2))
    left = {c["id"]: c["capacity"] for c in circles}
    placed: set[str] = set()
    locked = []
    for e, c in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2)):
        eid, cid = f"p{e}", f"c{c}"
        leads = eid in circles[c]["mentors"]
        if (e, c) not in forb and left[cid] > 0 and eid not in placed and not leads:
            locked.append([eid, cid])
            left[cid] -= 1
            placed.add(eid)
    return {
        "version": 1,
        "mode": "circles",
        "mentees": mentees,
        "circles": circles,
        "scores": scores,
        "forbidden_pairs": [[f"p{e}", f"c{c}"] for e, c in forb],
        "locked_pairs": locked,
        "settings": {"min_score": draw(st.sampled_from([0.0, 0.0, 0.3]))},
    }


def reference(d: dict[str, Any]) -> tuple[int, int, int]:
    """Every placement of each mentee in one circle or none, within capacities, best by
    (mentees placed, pairs, total score): the exact optimum by enumeration."""
    leads = {c["id"]: set(c["mentors"]) for c in d["circles"]}
    cap = {c["id"]: c.get("capacity", 1) for c in d["circles"]}
    forb = {tuple(x) for x in d["forbidden_pairs"]}
    locked = dict(d["locked_pairs"])
    sc = {(a, b): round(s * SCORE_SCALE) for a, b, s in d["scores"]}
    low = d["settings"]["min_score"] * SCORE_SCALE
    ids = [e["id"] for e in d["mentees"]]

    def options(e: str) -> list[str | None]:
        if e in locked:
            return [locked[e]]
        ok = [
            c
            for c in cap
            if (e, c) in sc and (e, c) not in forb and e not in leads[c] and sc[(e, c)] >= low
        ]
        return [None, *ok]

    best = (-1, -1, -1)
    for choice in product(*(options(e) for e in ids)):
        used = Counter(c for c in choice if c is not None)
        if any(used[c] > cap[c] for c in used):
            continue
        placed = [(e, c) for e, c in zip(ids, choice, strict=True) if c is not None]
        total = sum(sc.get(p, 0) for p in placed)
        best = max(best, (len(placed), len(placed), total))
    return best


def check_feasible(d: dict[str, Any], r: Any) -> None:
    leads = {c["id"]: set(c["mentors"]) for c in d["circles"]}
    cap = {c["id"]: c.get("capacity", 1) for c in d["circles"]}
    pairs = [(m.mentee, m.mentor) for m in r.matches]
    assert all(e not in leads[c] for e, c in pairs), "nobody joins a circle they lead"
    assert len(set(pairs)) == len(pairs), "no pair twice"
    per_mentee = Counter(e for e, _ in pairs)
    assert all(v == 1 for v in per_mentee.values()), "each mentee in at most one circle"
    per_circle = Counter(c for _, c in pairs)
    assert all(per_circle[c] <= cap[c] for c in per_circle), "capacities respected"
    assert not set(pairs) & {tuple(x) for x in d.get("forbidden_pairs", [])}
    assert {tuple(x) for x in d.get("locked_pairs", [])} <= set(pairs)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(circle_instances())
def test_circles_optimum_equals_the_exact_reference(d: dict[str, Any]) -> None:
    r = solve(load_problem(d))
    check_feasible(d, r)
    got = (
        r.objective.mentees_matched,
        r.objective.matched_pairs,
        round(r.objective.total_score * SCORE_SCALE),
    )
    assert got == reference(d)
    assert r.objective.upper_bound == r.objective.total_score


def programme(n: int, seed: int) -> dict[str, Any]:
    """A circles programme scored from profiles: topics as skills, mentors who are also
    participants (p00..p03 lead circles and are mentees too)."""
    rng = random.Random(seed)
    topics = ["python", "sql", "design", "sales", "leadership", "writing"]
    mentees = [
        {
            "id": f"p{i:02d}",
            "skills": rng.sample(topics, 2),
            "languages": [rng.choice(["en", "en", "de"])],
        }
        for i in range(n)
    ]
    circles = [
        {
            "id": f"c{c}",
            "capacity": rng.choice([3, 4, 5]),
            "skills": [topics[c]],
            "languages": ["en", "de"] if c % 2 else ["en"],
            "mentors": [f"p{c:02d}"] if c < 4 else [f"m{c}", f"m{c + 10}"],
        }
        for c in range(len(topics))
    ]
    return {
        "version": 1,
        "mode": "circles",
        "mentees": mentees,
        "circles": circles,
        "locked_pairs": [["p10", "c1"]],
        "forbidden_pairs": [["p11", "c0"]],
        "settings": {"weights": {"skills": 1.0}},
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_circles_programme_is_matched_within_its_rules(seed: int) -> None:
    d = programme(30, seed)
    r = solve(load_problem(d))
    check_feasible(d, r)
    langs = {p["id"]: p["languages"][0] for p in d["mentees"]}
    circle_langs = {c["id"]: set(c["languages"]) for c in d["circles"]}
    assert all(langs[m.mentee] in circle_langs[m.mentor] for m in r.matches if not m.locked)
    # 6 circles of 3-5 seats: every seat that a mentee can take is taken
    assert r.objective.matched_pairs >= 18
    assert result_to_dict(r, timings=False) == result_to_dict(solve(load_problem(d)), timings=False)


def test_a_mentee_is_placed_in_the_circle_whose_topic_they_want() -> None:
    d = {
        "version": 1,
        "mode": "circles",
        "mentees": [{"id": "e1", "skills": ["sql"]}, {"id": "e2", "skills": ["design"]}],
        "circles": [
            {"id": "design", "capacity": 5, "skills": ["design"], "mentors": ["m1"]},
            {"id": "data", "capacity": 5, "skills": ["sql"], "mentors": ["m2", "m3"]},
        ],
        "settings": {"weights": {"skills": 1.0}},
    }
    r = solve(load_problem(d))
    assert {(m.mentee, m.mentor) for m in r.matches} == {("e1", "data"), ("e2", "design")}
    assert r.matches[0].reasons[0].detail == "shares sql"


def test_a_mentee_is_kept_out_of_a_circle_their_manager_leads() -> None:
    d = {
        "version": 1,
        "mode": "circles",
        "mentees": [{"id": "e1", "skills": ["sql"], "manager_id": "m2"}],
        "circles": [
            {"id": "data", "capacity": 5, "skills": ["sql"], "mentors": ["m2"]},
            {"id": "other", "capacity": 5, "skills": ["design"], "mentors": ["m1"]},
        ],
        "settings": {"weights": {"skills": 1.0}},
    }
    r = solve(load_problem(d))
    assert [(m.mentee, m.mentor) for m in r.matches] == [("e1", "other")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mentors": [{"id": "m1"}]}, "mentors: not used in circles mode"),
        ({"circles": [{"id": "c1", "mentors": []}]}, "circles[0].mentors: must list one or two"),
        (
            {"circles": [{"id": "c1", "mentors": ["a", "b", "c"]}]},
            "circles[0].mentors: must list one or two",
        ),
        ({"circles": [{"id": "c1"}]}, "circles[0].mentors: must list one or two"),
        (
            {"circles": [{"id": "c1", "mentors": ["m1"]}, {"id": "c1", "mentors": ["m2"]}]},
            "circles[1].id: duplicate id 'c1'",
        ),
        ({"mentees": [{"id": "e1", "wants": 2}]}, "mentees[0].wants: not used in circles mode"),
        ({"settings": {"mentors_per_mentee": 2}}, "settings.mentors_per_mentee: not used"),
        ({"locked_pairs": [["e1", "nope"]]}, "locked_pairs[0]: circle 'nope' is not in circles"),
        ({"locked_pairs": [["e1"]]}, "locked_pairs[0]: must be a list [mentee, circle]"),
        (
            {"circles": [{"id": "c1", "capacity": 2, "mentors": ["e1"]}]},
            "locked_pairs[0]: 'e1' leads circle 'c1' and cannot also join it",
        ),
        (
            {"circles": [{"id": "c1", "capacity": 0, "mentors": ["m1"]}]},
            "locked_pairs[0]: circle 'c1' is locked to more mentees than its capacity",
        ),
    ],
)
def test_bad_circles_input_is_refused_with_its_path(change: dict[str, Any], message: str) -> None:
    d: dict[str, Any] = {
        "version": 1,
        "mode": "circles",
        "mentees": [{"id": "e1"}],
        "circles": [{"id": "c1", "capacity": 2, "mentors": ["m1"]}],
        "locked_pairs": [["e1", "c1"]],
    }
    d.update(change)
    with pytest.raises(ProblemError) as info:
        load_problem(d)
    assert any(e.startswith(message) for e in info.value.errors), info.value.errors


def test_circles_are_only_read_in_circles_mode() -> None:
    d = {"version": 1, "mentees": [], "mentors": [], "circles": []}
    with pytest.raises(ProblemError) as info:
        load_problem(d)
    assert 'circles: only in circles mode ("mode": "circles")' in info.value.errors
