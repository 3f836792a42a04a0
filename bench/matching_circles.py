"""Benchmark the engine's circles mode (docs/matching-format.md, *Circles mode*) on seeded
synthetic cohorts: the bipartite bench's mentees, and circles made from its mentors (a
topic of two skills, 6 to 12 places, one or two mentors, some of whom are also mentees).

    python bench/matching_circles.py [--quick]

Goes through the JSON reader (load_problem), as the Django app does, so the time includes
building the implied "nobody in a circle they lead" pairs. Ends with one ``RESULT`` line.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openmentor.matching.engine import load_problem, solve  # noqa: E402
from openmentor.matching.engine.synthetic import people  # noqa: E402


def circles_problem(n_mentees: int, n_circles: int, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    mentees = [
        {"id": p.id, "skills": list(p.skills), "goals": p.goals, "languages": list(p.languages)}
        for p in people(rng, n_mentees, "e", False)
    ]
    circles = []
    for k, p in enumerate(people(rng, n_circles, "m", True)):
        leaders = [p.id] if k % 2 else [p.id, f"m{k + n_circles:06d}"]
        if k % 10 == 0:  # some circles are led by a mentee of the programme
            leaders = [mentees[k % n_mentees]["id"]]
        circles.append(
            {
                "id": f"c{k:05d}",
                "capacity": int(rng.integers(6, 13)),
                "skills": list(p.skills[:2]),
                "goals": p.goals,
                "languages": list(p.languages),
                "mentors": leaders,
            }
        )
    return {
        "version": 1,
        "mode": "circles",
        "mentees": mentees,
        "circles": circles,
        "settings": {"weights": {"skills": 1.0, "goals": 1.0}},
    }


def one(n_mentees: int, n_circles: int) -> float:
    data = circles_problem(n_mentees, n_circles)
    t0 = time.perf_counter()
    result = solve(load_problem(data), audit_drivers=False)
    took = time.perf_counter() - t0
    leads = {c["id"]: set(c["mentors"]) for c in data["circles"]}
    cap = {c["id"]: c["capacity"] for c in data["circles"]}
    per_circle = Counter(m.mentor for m in result.matches)
    assert all(m.mentee not in leads[m.mentor] for m in result.matches)
    assert all(per_circle[c] <= cap[c] for c in per_circle)
    assert max(Counter(m.mentee for m in result.matches).values(), default=0) <= 1
    o = result.objective
    print(
        f"mentees={n_mentees} circles={n_circles} places={sum(cap.values())}: "
        f"{o.mentees_matched} placed, total {o.total_score:.3f}, bound {o.upper_bound:.3f}; "
        f"{took:.2f} s"
    )
    assert o.upper_bound == o.total_score
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    sizes = [(300, 30), (1000, 100)] if args.quick else [(300, 30), (1000, 100), (5000, 500)]
    out = {f"mentees{n}_circles{c}_s": f"{one(n, c):.2f}" for n, c in sizes}
    print("RESULT " + " ".join(f"{k}={v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
