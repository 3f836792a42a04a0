"""Benchmark the engine's peer mode (docs/matching-format.md, *Peer mode*) on seeded
synthetic cohorts (the bipartite bench's profiles, everyone both mentor and mentee).

    python bench/matching_peer.py [--quick]

Peer mode scores every pair and solves an exact maximum-weight matching (blossom), so time
grows about with the cube of the cohort; the figures say where that stops being quick.
Against a greedy matching (best pair first) on the same scores: how much the exact optimum
gains. Ends with one ``RESULT`` line.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openmentor.matching.engine import solve  # noqa: E402
from openmentor.matching.engine.model import Problem, Settings  # noqa: E402
from openmentor.matching.engine.synthetic import people  # noqa: E402


def peer_problem(n: int, capacity: int, seed: int = 0) -> Problem:
    rng = np.random.default_rng(seed)
    peers = tuple(replace(p, capacity=capacity) for p in people(rng, n, "p", False))
    weights = (("skills", 1.0), ("goals", 1.0), ("availability", 1.0))
    return Problem(peers, peers, Settings(weights=weights), mode="peer")


def greedy(cands: tuple[tuple[str, str, float], ...], cap: dict[str, int]) -> tuple[int, float]:
    left = dict(cap)
    pairs, total = 0, 0.0
    for a, b, s in sorted(cands, key=lambda t: (-t[2], t[0], t[1])):
        if left[a] > 0 and left[b] > 0:
            left[a] -= 1
            left[b] -= 1
            pairs += 1
            total += s
    return pairs, total


def one(n: int, capacity: int) -> dict[str, float]:
    problem = peer_problem(n, capacity)
    t0 = time.perf_counter()
    result = solve(problem, with_candidates=True, audit_drivers=False)
    took = time.perf_counter() - t0
    timings = dict(result.timings)
    assert result.candidates is not None
    g_pairs, g_total = greedy(result.candidates, {p.id: p.capacity for p in problem.mentees})
    o = result.objective
    per = Counter(x for m in result.matches for x in (m.mentee, m.mentor))
    assert all(m.mentee != m.mentor for m in result.matches)
    assert max(per.values(), default=0) <= capacity
    print(
        f"peers={n} capacity={capacity}: {o.matched_pairs} pairs, total {o.total_score:.3f} "
        f"(greedy {g_pairs} pairs, {g_total:.3f}); {o.candidates} allowed pairs; "
        f"scoring {timings['scoring_s']:.2f} s, solve {timings['solve_s']:.2f} s, all {took:.2f} s"
    )
    return {
        "total_s": took,
        "solve_s": timings["solve_s"],
        "gain_pct": 100 * (o.total_score - g_total) / g_total if g_total else 0.0,
        "extra_pairs": o.matched_pairs - g_pairs,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    sizes = [(30, 1), (100, 2), (200, 1)] if args.quick else [(30, 1), (100, 2), (200, 1), (500, 1)]
    out: dict[str, str] = {}
    for n, cap in sizes:
        r = one(n, cap)
        key = f"peers{n}" + (f"_cap{cap}" if cap > 1 else "")
        out[f"{key}_s"] = f"{r['total_s']:.2f}"
        out[f"{key}_gain_over_greedy_pct"] = f"{r['gain_pct']:.2f}"
    print("RESULT " + " ".join(f"{k}={v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
