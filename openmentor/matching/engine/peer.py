"""Peer mode: everyone is both mentor and mentee, matched in unordered pairs.

A peer pair {a, b} is scored in both directions (a's wanted skills against b's offered ones,
and the other way round) and its score is the mean of the two, so each pair has one score
whatever its order. Hard rules hold in both directions; nobody is paired with themselves.

The optimum is exact, as in the bipartite mode, with the same lexicographic objective read
for peers: first the number of peers with at least one peer, then the number of pairs,
then the total score. The graph is not bipartite, so the min-cost flow of solver.py does
not apply; this is a maximum-weight matching (Edmonds' blossom algorithm, networkx's
integer implementation) on every allowed pair, with the three objectives folded into one
integer weight per pair (each level's unit outweighs everything below it). Capacities
above one (a peer in several pairs) are reduced to a plain matching with one gadget per
pair (Shiloach's reduction): the pair's two ends each meet one copy of a peer, or each
other when the pair is unused. Every pair is scored (no top-K pruning), so the result is
exact without a pricing step; the price is time and memory quadratic in the peers
(bench/matching_peer.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from . import explain, fairness
from .candidates import chunks
from .embedding import Embedder
from .model import SCORE_SCALE, Match, Objective, Problem, Reason, Result, Unmatched
from .scoring import STAGES, Prepared, block, prepare

I64 = NDArray[np.int64]
Progress = Callable[[float], None]


def internal_problem(problem: Problem) -> Problem:
    """The directed problem scoring reads: every pair rule in both directions, no
    ``min_score`` (it applies to the pair's mean score) and no locks (handled here)."""
    pairs = problem.forbidden_pairs
    both = tuple(sorted({*pairs, *((b, a) for a, b in pairs)}))
    scores = None
    if problem.scores is not None:
        scores = tuple(sorted({*problem.scores, *((b, a, s) for a, b, s in problem.scores)}))
    return replace(
        problem,
        settings=replace(problem.settings, min_score=0.0),
        locked_pairs=(),
        forbidden_pairs=both,
        scores=scores,
        mode="mentoring",
    )


def pair_scores(
    problem: Problem, embedder: Callable[[], Embedder], threads: int | None
) -> tuple[I64, I64, NDArray[np.bool_], NDArray[np.int32], Prepared]:
    """The directed and the symmetric n×n scores (millionths), the allowed mask (hard
    rules both ways, forbidden pairs, ``min_score`` on the mean) and per-peer counts of
    the peers left after the rules (all but the last column) and after ``min_score``."""
    prep = prepare(internal_problem(problem), embedder, None, threads)
    n = prep.n
    s = np.zeros((n, n), dtype=np.int64)
    ok = np.zeros((n, n), dtype=np.bool_)
    for rows in chunks(prep):
        b = block(prep, rows)
        s[rows] = b.s_int
        ok[rows] = b.allowed
    sym = (s + s.T + 1) // 2  # the mean, rounded half up: the same whatever the order
    ok &= ok.T
    min_int = int(np.ceil(problem.settings.min_score * SCORE_SCALE - 1e-6))
    counts = np.zeros((n, len(STAGES)), dtype=np.int32)
    counts[:, : len(STAGES) - 1] = ok.sum(axis=1)[:, None]  # the rule that empties is named below
    ok &= sym >= min_int
    counts[:, -1] = ok.sum(axis=1)
    return s, sym, ok, counts, prep


def best_pairs(
    n: int, edges: list[tuple[int, int, int]], cap: list[int], covered: list[bool]
) -> list[tuple[int, int]]:
    """The pairs (i < j) of ``edges`` (i, j, score) maximising, in order: peers newly
    covered (those not ``covered`` already), pairs, total score, with at most ``cap[v]``
    pairs at each peer. Exact (maximum-weight matching, integer weights)."""
    if not edges:
        return []
    pmax = sum(cap) // 2 + 1
    unit_pair = SCORE_SCALE * (pmax + 1)  # more than any total score
    unit_cover = unit_pair * (pmax + 2)  # more than any number of pairs, with their scores
    g: nx.Graph = nx.Graph()
    if max(cap) <= 1:
        for i, j, s in edges:
            fresh = (not covered[i]) + (not covered[j])
            g.add_edge(i, j, weight=unit_cover * fresh + unit_pair + s)
        chosen = nx.max_weight_matching(g)
        return sorted((min(a, b), max(a, b)) for a, b in chosen)
    # Shiloach's gadget: peer v has copies (v, 0..cap-1); pair e = (i, j) has ends (e, i)
    # and (e, j), joined by an edge worth 2C. Using the pair matches (e, i) to a copy of i
    # and (e, j) to a copy of j instead, each worth C + gain; C exceeds any gain, so a
    # pair is never half used. Only a peer's first copy carries the cover bonus.
    big = 2 * unit_cover + unit_pair + SCORE_SCALE + 1
    for e, (i, j, s) in enumerate(edges):
        g.add_edge(("e", e, i), ("e", e, j), weight=2 * big)
        for v in (i, j):
            for k in range(cap[v]):
                bonus = 2 * unit_cover if k == 0 and not covered[v] else 0
                g.add_edge(("p", v, k), ("e", e, v), weight=big + unit_pair + s + bonus)
    chosen = nx.max_weight_matching(g)
    used: dict[int, int] = {}
    for a, b in chosen:
        end = a if a[0] == "e" else b
        other = b if end is a else a
        if other[0] == "p":
            used[end[1]] = used.get(end[1], 0) + 1
    return sorted((edges[e][0], edges[e][1]) for e, c in used.items() if c == 2)


def peer_reasons(prep: Prepared, pairs: list[tuple[int, int]], s: I64) -> list[tuple[Reason, ...]]:
    """Per pair (i, j), each factor's contribution as the mean of the two directions; its
    detail once when both directions say the same, else both ("…; in return, …")."""
    if not pairs:
        return []
    ii = np.array([i for i, _ in pairs] + [j for _, j in pairs], dtype=np.int64)
    jj = np.array([j for _, j in pairs] + [i for i, _ in pairs], dtype=np.int64)
    both = explain.match_reasons(prep, ii, jj, s[ii, jj])
    out = []
    for k in range(len(pairs)):
        ab, ba = both[k], both[k + len(pairs)]
        other = {r.factor: r for r in ba}
        merged = []
        for r in ab:
            o = other.get(r.factor, r)
            detail = r.detail if r.detail == o.detail else f"{r.detail}; in return, {o.detail}"
            merged.append(Reason(r.factor, (r.contribution + o.contribution) / 2, detail))
        out.append(tuple(merged))
    return out


def unmatched_reason(problem: Problem, counts: NDArray[np.int32], got: int, cap: int) -> str:
    """Why a peer has fewer peers than their capacity, in the engine's plain words."""
    if len(problem.mentees) < 2:
        return "there is no other peer"
    after_rules, eligible = int(counts[0]), int(counts[-1])
    if got > 0:
        return f"only {got} of {cap} peers: " + (
            f"only {eligible} eligible peers"
            if eligible < cap
            else f"capacity exhausted among the {eligible} eligible peers"
        )
    if after_rules == 0:
        return (
            "no other peer passes the rules in both directions (language, timezone, free "
            "time, department, reporting line, forbidden pairs)"
        )
    if eligible == 0:
        return f"all candidates below the minimum score {problem.settings.min_score:g}"
    return f"capacity exhausted: all {eligible} eligible peers are full"


def solve_peers(
    problem: Problem,
    *,
    with_candidates: bool = False,
    progress: Progress | None = None,
    embedder: Callable[[], Embedder],
    threads: int | None = None,
) -> Result:
    """The exact peer optimum with reasons and the fairness audit (no counterfactual
    drivers: they re-solve the bipartite problem)."""
    t0 = time.perf_counter()
    directed, sym, ok, counts, prep = pair_scores(problem, embedder, threads)
    n = len(problem.mentees)
    index = {p.id: k for k, p in enumerate(problem.mentees)}
    if progress:
        progress(0.5)
    t1 = time.perf_counter()
    cap = [p.capacity for p in problem.mentees]
    covered = [False] * n
    locked: list[tuple[int, int]] = []
    for a, b in problem.locked_pairs:
        i, j = sorted((index[a], index[b]))
        locked.append((i, j))
        cap[i] -= 1
        cap[j] -= 1
        covered[i] = covered[j] = True
        ok[i, j] = ok[j, i] = False
    iu, ju = np.nonzero(np.triu(ok, 1))
    edges = [
        (i, j, int(sym[i, j]))
        for i, j in zip(iu.tolist(), ju.tolist(), strict=True)
        if cap[i] > 0 and cap[j] > 0
    ]
    chosen = best_pairs(n, edges, cap, covered)
    t2 = time.perf_counter()
    pairs = sorted([(i, j, True) for i, j in locked] + [(i, j, False) for i, j in chosen])
    reasons = peer_reasons(prep, [(i, j) for i, j, _ in pairs], directed)
    ids = [p.id for p in problem.mentees]
    matches = [
        Match(ids[i], ids[j], int(sym[i, j]) / SCORE_SCALE, reasons[k], is_locked)
        for k, (i, j, is_locked) in enumerate(pairs)
    ]
    got = [0] * n
    for i, j, _ in pairs:
        got[i] += 1
        got[j] += 1
    unmatched = [
        Unmatched(
            p.id, p.capacity - got[k], unmatched_reason(problem, counts[k], got[k], p.capacity)
        )
        for k, p in sorted(enumerate(problem.mentees), key=lambda t: t[1].id)
        if got[k] < p.capacity
    ]
    total = sum(int(sym[i, j]) for i, j, _ in pairs)
    objective = Objective(
        mentees_matched=sum(1 for g in got if g > 0),
        matched_pairs=len(pairs),
        total_score=total / SCORE_SCALE,
        upper_bound=total / SCORE_SCALE,  # every pair was considered
        pricing_rounds=0,
        candidates=len(edges) + len(locked),
    )
    t3 = time.perf_counter()
    per_peer: dict[str, list[float]] = {}
    for m in matches:
        for x in (m.mentee, m.mentor):
            per_peer.setdefault(x, []).append(m.score)
    audit = fairness.audit(problem, per_peer, lambda _f: {}, [])
    t4 = time.perf_counter()
    if progress:
        progress(1.0)
    cand_out = None
    if with_candidates:
        every = [*zip(iu.tolist(), ju.tolist(), strict=True), *locked]
        cand_out = tuple(sorted((ids[i], ids[j], int(sym[i, j]) / SCORE_SCALE) for i, j in every))
    return Result(
        matches=tuple(matches),
        unmatched=tuple(unmatched),
        objective=objective,
        fairness=tuple(audit),
        timings=(
            ("scoring_s", t1 - t0),
            ("solve_s", t2 - t1),
            ("explain_s", t3 - t2),
            ("fairness_s", t4 - t3),
            ("total_s", t4 - t0),
        ),
        candidates=cand_out,
    )
