"""Protected attributes never reach scoring; the audit finds proxies; planted matches."""

from __future__ import annotations

import json
import random
from dataclasses import replace

from openmentor.matching.engine import result_to_dict, solve, synthetic
from openmentor.matching.engine.model import Person, Problem, Settings


def _strip(d: dict) -> str:  # type: ignore[type-arg]
    d = dict(d)
    d.pop("fairness")
    return json.dumps(d, sort_keys=True)


def test_shuffling_protected_attributes_changes_nothing() -> None:
    p = synthetic.profile_problem(300, 80, seed=11)
    rng = random.Random(7)
    prot = [x.protected for x in p.mentees]
    rng.shuffle(prot)
    shuffled = replace(
        p, mentees=tuple(replace(x, protected=pr) for x, pr in zip(p.mentees, prot, strict=True))
    )
    emptied = replace(p, mentees=tuple(replace(x, protected=()) for x in p.mentees))
    base = _strip(result_to_dict(solve(p, audit_drivers=False), timings=False))
    assert base == _strip(result_to_dict(solve(shuffled, audit_drivers=False), timings=False))
    assert base == _strip(result_to_dict(solve(emptied, audit_drivers=False), timings=False))


def test_audit_names_the_proxy_factor() -> None:
    r = solve(synthetic.profile_problem(600, 120, seed=2))
    audit = dict(r.fairness)
    age = audit["age_band"]
    assert age.disparate_impact is not None and age.disparate_impact < 0.8
    assert age.driver == "seniority"
    assert (
        age.disparate_impact_without_driver is not None
        and age.disparate_impact_without_driver > 0.8
    )
    assert audit["gender"].disparate_impact is not None and audit["gender"].disparate_impact > 0.8


def test_small_groups_suppressed() -> None:
    p = synthetic.profile_problem(30, 10, seed=1)
    p = replace(
        p,
        mentees=tuple(
            replace(x, protected=(("g", "rare" if i < 3 else "common"),))
            for i, x in enumerate(p.mentees)
        ),
    )
    audit = dict(solve(p).fairness)["g"]
    groups = dict(audit.groups)
    assert groups["rare"].suppressed and groups["rare"].matched_rate is None
    assert not groups["common"].suppressed and audit.disparate_impact is None


def test_planted_best_mentor_found() -> None:
    rng = random.Random(3)
    topics = [
        "kubernetes",
        "negotiation",
        "oncology",
        "tax law",
        "ceramics",
        "violin",
        "marketing",
        "chess",
        "robotics",
        "sailing",
        "accounting",
        "poetry",
        "carpentry",
        "genetics",
    ]
    n = 200
    es, ms = [], []
    for i in range(n):
        a, b = rng.sample(topics, 2)
        skills = (f"skill-{i}-a", f"skill-{i}-b")
        es.append(
            Person(f"e{i:03d}", skills=skills, goals=f"I want to learn {a} and {b}", seniority=1.0)
        )
        ms.append(Person(f"m{i:03d}", skills=skills, goals=f"I teach {a} and {b}", seniority=8.0))
    rng.shuffle(ms)
    p = Problem(tuple(es), tuple(ms), Settings())
    r = solve(p, audit_drivers=False)
    hits = sum(m.mentee[1:] == m.mentor[1:] for m in r.matches)
    assert hits / n >= 0.975
