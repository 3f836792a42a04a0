"""Properties of the optimiser: feasibility, locks, determinism, and exactness."""

from __future__ import annotations

import itertools
import json
import os
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from openmentor.matching.engine import load_problem, result_to_dict, solve
from openmentor.matching.engine.model import SCORE_SCALE


@st.composite
def instances(draw: Any, max_e: int = 5, max_m: int = 4) -> dict[str, Any]:
    ne = draw(st.integers(1, max_e))
    nm = draw(st.integers(1, max_m))
    es = [{"id": f"e{i}", "wants": draw(st.integers(1, 2))} for i in range(ne)]
    ms = [{"id": f"m{j}", "capacity": draw(st.integers(0, 2))} for j in range(nm)]
    pairs = [(i, j) for i in range(ne) for j in range(nm)]
    present = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    scores = [[f"e{i}", f"m{j}", draw(st.integers(0, 100)) / 100] for i, j in sorted(present)]
    forb = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3))
    cap_left = {f"m{j}": ms[j]["capacity"] for j in range(nm)}
    want_left = {f"e{i}": es[i]["wants"] for i in range(ne)}
    locked = []
    for i, j in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2)):
        e, m = f"e{i}", f"m{j}"
        if (i, j) not in forb and cap_left[m] > 0 and want_left[e] > 0:
            locked.append([e, m])
            cap_left[m] -= 1
            want_left[e] -= 1
    return {
        "version": 1,
        "mentees": es,
        "mentors": ms,
        "scores": scores,
        "forbidden_pairs": [[f"e{i}", f"m{j}"] for i, j in forb],
        "locked_pairs": locked,
        "settings": {
            "candidates_per_mentee": draw(st.integers(1, 3)),  # small K exercises pricing
            "min_score": draw(st.sampled_from([0.0, 0.0, 0.3])),
        },
    }


def brute_force(d: dict[str, Any]) -> tuple[int, int, int]:
    wants = {e["id"]: e["wants"] for e in d["mentees"]}
    cap = {m["id"]: m["capacity"] for m in d["mentors"]}
    forb = {tuple(x) for x in d["forbidden_pairs"]}
    locked = {tuple(x) for x in d["locked_pairs"]}
    sc = {(a, b): round(s * SCORE_SCALE) for a, b, s in d["scores"]}
    ms = d["settings"]["min_score"] * SCORE_SCALE
    options = [p for p, s in sc.items() if p not in forb and p not in locked and s >= ms]
    best = (-1, -1, -1)
    for r in range(len(options) + 1):
        for sub in itertools.combinations(options, r):
            chosen = list(sub) + list(locked)
            ce = Counter(a for a, _ in chosen)
            cm = Counter(b for _, b in chosen)
            if any(ce[e] > wants[e] for e in ce) or any(cm[m] > cap[m] for m in cm):
                continue
            val = (len(ce), len(chosen), sum(sc.get(p, 0) for p in chosen))
            best = max(best, val)
    return best


# MATCHING_EXAMPLES=2000 runs the properties harder, locally (the suite keeps them modest).
EXAMPLES = int(os.environ.get("MATCHING_EXAMPLES", "60"))


def _d(es: list[Any], ms: list[Any], scores: list[Any], locked: list[Any], **st_: Any) -> Any:
    return {
        "version": 1,
        "mentees": es,
        "mentors": ms,
        "scores": scores,
        "forbidden_pairs": [],
        "locked_pairs": locked,
        "settings": {"candidates_per_mentee": 1, "min_score": 0.0, **st_},
    }


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
# The only candidate is locked: pricing ran over an empty candidate set (IndexError).
@example(
    _d(
        [{"id": "e0", "wants": 1}],
        [{"id": "m0", "capacity": 0}, {"id": "m1", "capacity": 1}, {"id": "m2", "capacity": 0}],
        [["e0", "m1", 0.01], ["e0", "m2", 0.0]],
        [["e0", "m1"]],
    )
)
# Pricing offered a locked pair again and the flow chose it a second time.
@example(
    _d(
        [{"id": "e0", "wants": 2}, {"id": "e1", "wants": 1}],
        [{"id": "m0", "capacity": 1}, {"id": "m1", "capacity": 3}],
        [["e0", "m1", 0.9], ["e0", "m0", 0.1], ["e1", "m0", 0.3]],
        [["e0", "m1"]],
    )
)
# Every mentor is full and everything is locked.
@example(
    _d(
        [{"id": "e0", "wants": 1}, {"id": "e1", "wants": 1}],
        [{"id": "m0", "capacity": 1}, {"id": "m1", "capacity": 0}],
        [["e0", "m0", 0.5], ["e1", "m0", 0.7]],
        [["e0", "m0"]],
    )
)
def test_feasible_and_optimal(d: dict[str, Any]) -> None:
    p = load_problem(d)
    r = solve(p)
    cap = {m.id: m.capacity for m in p.mentors}
    pairs = [(m.mentee, m.mentor) for m in r.matches]
    assert len(set(pairs)) == len(pairs)
    assert all(c <= cap[m] for m, c in Counter(b for _, b in pairs).items())
    assert all(
        c <= p.wants(next(x for x in p.mentees if x.id == e))
        for e, c in Counter(a for a, _ in pairs).items()
    )
    assert not set(pairs) & set(p.forbidden_pairs)
    assert set(p.locked_pairs) <= set(pairs)
    got = (
        r.objective.mentees_matched,
        r.objective.matched_pairs,
        round(r.objective.total_score * SCORE_SCALE),
    )
    if len(d["scores"]) <= 12:
        assert got == brute_force(d)
    assert r.objective.upper_bound == r.objective.total_score


@settings(max_examples=max(20, EXAMPLES // 3), deadline=None)
@given(instances())
def test_deterministic(d: dict[str, Any]) -> None:
    a = json.dumps(result_to_dict(solve(load_problem(d)), timings=False))
    b = json.dumps(result_to_dict(solve(load_problem(json.loads(json.dumps(d)))), timings=False))
    assert a == b


def test_first_mentor_before_second() -> None:
    d = {
        "version": 1,
        "mentees": [{"id": "a", "wants": 2}, {"id": "b", "wants": 2}],
        "mentors": [{"id": "x", "capacity": 1}, {"id": "y", "capacity": 1}],
        "scores": [["a", "x", 1.0], ["a", "y", 1.0], ["b", "y", 0.1]],
    }
    r = solve(load_problem(d))
    assert {(m.mentee, m.mentor) for m in r.matches} == {("a", "x"), ("b", "y")}
    assert r.unmatched[0].mentee == "a" and r.unmatched[0].missing == 1


def test_pricing_recovers_pruned_pairs_on_profiles() -> None:
    from openmentor.matching.engine import synthetic
    from openmentor.matching.engine.model import Settings

    p = synthetic.profile_problem(150, 40, seed=5)
    small = type(p)(p.mentees, p.mentors, Settings(candidates_per_mentee=1))
    full = type(p)(p.mentees, p.mentors, Settings(candidates_per_mentee=40))
    a, b = solve(small, audit_drivers=False).objective, solve(full, audit_drivers=False).objective
    assert (a.mentees_matched, a.matched_pairs) == (b.mentees_matched, b.matched_pairs)
    assert abs(a.total_score - b.total_score) < 1e-6
    assert a.pricing_rounds > 1


def test_bound_cache_threads_and_plain_pricing_agree(monkeypatch: Any) -> None:
    """Pricing from cached bounds and the reserve gives the same bytes as re-scoring every
    mentee, whatever the number of scoring threads."""
    from openmentor.matching.engine import candidates, synthetic
    from openmentor.matching.engine.model import Settings

    p = synthetic.profile_problem(240, 60, seed=3)
    p = type(p)(p.mentees, p.mentors, Settings(candidates_per_mentee=2))

    def run(threads: int) -> str:
        return json.dumps(result_to_dict(solve(p, threads=threads), timings=False))

    cached = run(1)
    assert run(3) == cached
    monkeypatch.setattr(candidates, "CACHE_BYTES", 0)
    assert run(3) == cached
    assert json.loads(cached)["objective"]["pricing_rounds"] > 1
