"""Peer mode: everyone is both mentor and mentee; exact, like the bipartite optimiser."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from openmentor.matching.engine import ProblemError, load_problem, result_to_dict, solve
from openmentor.matching.engine.cli import main
from openmentor.matching.engine.model import SCORE_SCALE
from tests.matching_engine.test_engine_solver import EXAMPLES


@st.composite
def peer_instances(draw: Any, max_n: int = 6) -> dict[str, Any]:
    n = draw(st.integers(1, max_n))
    peers = [{"id": f"p{i}", "capacity": draw(st.integers(0, 2))} for i in range(n)]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    present = (
        draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    )
    # each pair given once, in either order (pairs are unordered)
    scores = []
    for i, j in sorted(present):
        a, b = (f"p{i}", f"p{j}") if draw(st.booleans()) else (f"p{j}", f"p{i}")
        scores.append([a, b, draw(st.integers(0, 100)) / 100])
    forb = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2)) if pairs else []
    left = {p["id"]: p["capacity"] for p in peers}
    locked = []
    for i, j in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2)) if pairs else []:
        a, b = f"p{i}", f"p{j}"
        if (i, j) not in forb and left[a] > 0 and left[b] > 0:
            locked.append([b, a] if draw(st.booleans()) else [a, b])
            left[a] -= 1
            left[b] -= 1
    return {
        "version": 1,
        "mode": "peer",
        "peers": peers,
        "scores": scores,
        "forbidden_pairs": [[f"p{j}", f"p{i}"] for i, j in forb],
        "locked_pairs": locked,
        "settings": {"min_score": draw(st.sampled_from([0.0, 0.0, 0.3]))},
    }


def brute_force(d: dict[str, Any]) -> tuple[int, int, int]:
    """Every set of unordered pairs within capacity, best by (peers covered, pairs, total)."""
    cap = {p["id"]: p.get("capacity", 1) for p in d["peers"]}
    forb = {frozenset(x) for x in d["forbidden_pairs"]}
    locked = [frozenset(x) for x in d["locked_pairs"]]
    sc = {frozenset((a, b)): round(s * SCORE_SCALE) for a, b, s in d["scores"]}
    low = d["settings"]["min_score"] * SCORE_SCALE
    options = [
        p
        for p, s in sorted(sc.items(), key=lambda t: sorted(t[0]))
        if p not in forb and p not in locked and s >= low
    ]
    used = Counter(x for p in locked for x in p)
    best = (-1, -1, -1)

    def walk(k: int, chosen: list[frozenset[str]]) -> None:
        nonlocal best
        if k == len(options):
            every = chosen + locked
            covered = len({x for p in every for x in p})
            best = max(best, (covered, len(every), sum(sc.get(p, 0) for p in every)))
            return
        walk(k + 1, chosen)
        a, b = sorted(options[k])
        if used[a] < cap[a] and used[b] < cap[b]:
            used[a] += 1
            used[b] += 1
            walk(k + 1, [*chosen, options[k]])
            used[a] -= 1
            used[b] -= 1

    walk(0, [])
    return best


def check_feasible(d: dict[str, Any], r: Any) -> None:
    cap = {p["id"]: p.get("capacity", 1) for p in d["peers"]}
    pairs = [frozenset((m.mentee, m.mentor)) for m in r.matches]
    assert all(m.mentee != m.mentor for m in r.matches), "nobody is matched with themselves"
    assert len(set(pairs)) == len(pairs), "each pair once, in either order"
    per = Counter(x for p in pairs for x in p)
    assert all(per[x] <= cap[x] for x in per), "capacities respected"
    assert not set(pairs) & {frozenset(x) for x in d.get("forbidden_pairs", [])}
    assert {frozenset(x) for x in d.get("locked_pairs", [])} <= set(pairs)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(peer_instances())
# An odd cycle of good pairs: a bipartite relaxation would take all three half-way.
@example(
    {
        "version": 1,
        "mode": "peer",
        "peers": [{"id": "p0"}, {"id": "p1"}, {"id": "p2"}, {"id": "p3"}],
        "scores": [["p0", "p1", 0.9], ["p1", "p2", 0.9], ["p0", "p2", 0.9], ["p2", "p3", 0.1]],
        "forbidden_pairs": [],
        "locked_pairs": [],
        "settings": {"min_score": 0.0},
    }
)
# Capacity 2 with a lock: the locked peer still counts as covered.
@example(
    {
        "version": 1,
        "mode": "peer",
        "peers": [{"id": "p0", "capacity": 2}, {"id": "p1"}, {"id": "p2"}],
        "scores": [["p0", "p1", 0.2], ["p0", "p2", 0.3], ["p1", "p2", 0.9]],
        "forbidden_pairs": [],
        "locked_pairs": [["p1", "p0"]],
        "settings": {"min_score": 0.0},
    }
)
def test_peer_optimum_equals_brute_force(d: dict[str, Any]) -> None:
    r = solve(load_problem(d))
    check_feasible(d, r)
    got = (
        r.objective.mentees_matched,
        r.objective.matched_pairs,
        round(r.objective.total_score * SCORE_SCALE),
    )
    assert got == brute_force(d)
    assert r.objective.upper_bound == r.objective.total_score


def cohort(n: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    skills = ["python", "sql", "design", "sales", "leadership", "writing"]
    return {
        "version": 1,
        "mode": "peer",
        "peers": [
            {
                "id": f"p{i:02d}",
                "capacity": rng.choice([1, 1, 2, 3]),
                "skills": rng.sample(skills, 2),
                "offers": rng.sample(skills, 2),
                "languages": [rng.choice(["en", "en", "de"])],
                "seniority": rng.randint(0, 20),
            }
            for i in range(n)
        ],
        "forbidden_pairs": [["p00", "p01"], ["p03", "p02"]],
        "locked_pairs": [["p05", "p04"]],
        "settings": {"weights": {"skills": 1.0, "seniority": 0.5}},
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_peer_programme_of_30(seed: int) -> None:
    d = cohort(30, seed)
    r = solve(load_problem(d))
    check_feasible(d, r)
    langs = {p["id"]: p["languages"][0] for p in d["peers"]}
    # a lock is the manager's decision and passes the rules; every other pair shares one
    assert all(langs[m.mentee] == langs[m.mentor] for m in r.matches if not m.locked)
    assert r.objective.matched_pairs >= 10
    # same input, same bytes
    again = result_to_dict(solve(load_problem(d)), timings=False)
    assert result_to_dict(r, timings=False) == again


def test_a_pair_scores_the_mean_of_both_directions() -> None:
    a = {"id": "a", "skills": ["python", "sql"], "offers": ["design"], "seniority": 2}
    b = {"id": "b", "skills": ["design"], "offers": ["python"], "seniority": 9}
    weights = {"skills": 1.0, "seniority": 1.0}
    peer = solve(
        load_problem(
            {"version": 1, "mode": "peer", "peers": [a, b], "settings": {"weights": weights}}
        )
    )

    def one_way(mentee: dict[str, Any], mentor: dict[str, Any]) -> float:
        e = {"id": "e", "skills": mentee["skills"], "seniority": mentee["seniority"]}
        m = {"id": "m", "skills": mentor["offers"], "seniority": mentor["seniority"]}
        d = {"version": 1, "mentees": [e], "mentors": [m], "settings": {"weights": weights}}
        return solve(load_problem(d)).matches[0].score

    assert len(peer.matches) == 1
    want = (one_way(a, b) + one_way(b, a)) / 2
    assert abs(peer.matches[0].score - want) <= 1 / SCORE_SCALE
    skills = next(x for x in peer.matches[0].reasons if x.factor == "skills")
    assert skills.detail == "shares python; in return, shares design"


def test_rules_hold_in_both_directions_and_the_unmatched_say_why() -> None:
    d = {
        "version": 1,
        "mode": "peer",
        "peers": [
            {"id": "a", "languages": ["en"]},
            {"id": "b", "languages": ["en"]},
            {"id": "c", "languages": ["fi"]},
            {"id": "d", "languages": ["en"], "manager_id": "a"},
        ],
    }
    r = solve(load_problem(d))
    assert [(m.mentee, m.mentor) for m in r.matches] in ([("a", "b")], [("b", "d")])
    reasons = {u.mentee: u.reason for u in r.unmatched}
    assert reasons["c"].startswith("no other peer passes the rules")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"mentees": []}, "mentees: not used in peer mode"),
        ({"mode": "circle"}, "mode: must be one of mentoring, peer"),
        (
            {"peers": [{"id": "a", "wants": 2}, {"id": "b"}]},
            "peers[0].wants: peers have a capacity",
        ),
        ({"locked_pairs": [["a", "a"]]}, "locked_pairs[0]: 'a' cannot be paired with themselves"),
        ({"locked_pairs": [["a", "b"], ["b", "a"]]}, "locked_pairs[1]: duplicate pair 'b', 'a'"),
        ({"forbidden_pairs": [["a", "z"]]}, "forbidden_pairs[0]: peer 'z' is not in peers"),
        (
            {"locked_pairs": [["a", "b"]], "forbidden_pairs": [["b", "a"]]},
            "also in forbidden_pairs",
        ),
        (
            {
                "peers": [{"id": "a", "capacity": 1}, {"id": "b"}, {"id": "c"}],
                "locked_pairs": [["a", "b"], ["a", "c"]],
            },
            "peer 'a' is locked to more peers than their capacity 1",
        ),
        ({"locked_pairs": [["a"]]}, "locked_pairs[0]: must be a list [peer, peer] of ids"),
        ({"peers": [{"id": "a"}, {"id": "a"}]}, "peers[1].id: duplicate id 'a'"),
        (
            {"settings": {"mentors_per_mentee": 2}},
            "settings.mentors_per_mentee: not used in peer mode",
        ),
    ],
)
def test_bad_peer_problems_name_the_path(change: dict[str, Any], error: str) -> None:
    d: dict[str, Any] = {
        "version": 1,
        "mode": "peer",
        "peers": [{"id": "a"}, {"id": "b"}],
        **change,
    }
    with pytest.raises(ProblemError) as e:
        load_problem(d)
    assert any(error in line for line in e.value.errors), e.value.errors


def test_peer_keys_are_refused_in_mentoring_mode() -> None:
    d = {"version": 1, "mentees": [{"id": "e", "offers": ["x"]}], "mentors": [], "peers": []}
    with pytest.raises(ProblemError) as e:
        load_problem(d)
    assert "peers: only in peer mode" in str(e.value)
    assert "mentees[0].offers: only peers have offers" in str(e.value)


def test_cli_solves_peers_and_refuses_recommend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "p.json"
    f.write_text(json.dumps(cohort(8, 4)))
    assert main(["solve", str(f)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["matches"] and all(m["mentee"] < m["mentor"] for m in out["matches"])
    assert main(["recommend", str(f), "--mentee", "p01"]) == 2
    assert "recommend needs a mentoring problem" in capsys.readouterr().err
