"""The exact lexicographic optimum by min-cost flow, with certified column generation.

Objective (spec): first the number of mentees with at least one mentor, then the number of
pairs, then the total score. Solved in three stages on the candidate pairs:

1. max flow with each mentee's first arc of capacity 1 → M1, the most mentees matched;
2. max flow with each mentee's arc of capacity ``wants`` → P, the most pairs (augmenting
   paths never reduce flow out of the source, so a flow with P pairs and M1 mentees exists);
3. min-cost flow where a node F supplies exactly M1 first mentors (one per mentee) and a node
   G supplies the P - M1 further mentors, costs = -score in millionths → the best total.

Pruning is then proved harmless: the stage-1 and stage-2 source-side min cuts certify the
counts (a left-out pair crossing a cut could raise them), and node potentials of the stage-3
residual graph (shortest distances, computed here by vectorised Bellman-Ford since OR-Tools
does not expose its duals) price every left-out pair; those with negative reduced cost are
added and everything is solved again, until no pair can improve the result. The sum of the
positive improvements still possible is the ``upper_bound`` slack, zero at the end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import max_flow, min_cost_flow

I64 = NDArray[np.int64]
BoolA = NDArray[np.bool_]
Cut = tuple[BoolA, BoolA]  # (mentees, mentors) on the source side of a min cut


class SolverBug(RuntimeError):
    pass


@dataclass
class FlowSolution:
    chosen: BoolA  # per candidate arc
    first_count: int  # mentees newly matched (not counting locked-covered)
    pairs: int
    score: int
    cut1_e: BoolA  # mentee on source side of the stage-1 min cut
    cut1_m: BoolA
    cut2_e: BoolA
    cut2_m: BoolA
    pot_e: I64  # stage-3 potentials
    pot_m: I64
    # the largest-source-side min cuts, which certify the counts as well; pricing may use
    # them instead (see api._choose_cuts)
    cut1_alt: Cut = field(default_factory=lambda: (np.zeros(0, np.bool_), np.zeros(0, np.bool_)))
    cut2_alt: Cut = field(default_factory=lambda: (np.zeros(0, np.bool_), np.zeros(0, np.bool_)))
    timings: list[tuple[str, float]] = field(default_factory=list)  # per stage, seconds


def _max_flow(n: int, m: int, src_cap: I64, ci: I64, cj: I64, cap_m: I64) -> tuple[int, Cut, Cut]:
    """Max flow and two min cuts: the smallest source side, and the largest one (all but the
    nodes that can still reach the sink). Either certifies the flow's value."""
    g = max_flow.SimpleMaxFlow()
    src, snk = n + m, n + m + 1
    e = np.flatnonzero(src_cap > 0)
    jm = np.flatnonzero(cap_m > 0)
    tails = np.concatenate([np.full(len(e), src), ci, n + jm]).astype(np.int32)
    heads = np.concatenate([e, n + cj, np.full(len(jm), snk)]).astype(np.int32)
    caps = np.concatenate([src_cap[e], np.ones(len(ci), dtype=np.int64), cap_m[jm]])
    if len(tails) == 0:
        none = (np.zeros(n, dtype=np.bool_), np.zeros(m, dtype=np.bool_))
        return 0, none, none
    g.add_arcs_with_capacity(tails, heads, caps)
    status = g.solve(src, snk)
    if status != g.OPTIMAL:
        raise SolverBug(f"max flow failed with status {status}")
    side = np.zeros(n + m + 2, dtype=np.bool_)
    side[np.asarray(g.get_source_side_min_cut(), dtype=np.int64)] = True
    big = np.ones(n + m + 2, dtype=np.bool_)
    big[np.asarray(g.get_sink_side_min_cut(), dtype=np.int64)] = False
    return (
        int(g.optimal_flow()),
        (side[:n], side[n : n + m]),
        (big[:n], big[n : n + m]),
    )


def bellman_ford(nn: int, u: I64, v: I64, c: I64) -> I64:
    """Shortest distances from a virtual root joined to every node at cost 0."""
    d = np.zeros(nn, dtype=np.int64)
    if len(u) == 0:
        return d
    order = np.argsort(v, kind="stable")
    u, v, c = u[order], v[order], c[order]
    heads, starts = np.unique(v, return_index=True)
    for _ in range(nn + 1):
        best = np.minimum.reduceat(d[u] + c, starts)
        better = best < d[heads]
        if not better.any():
            return d
        d[heads[better]] = best[better]
    raise SolverBug("negative cycle in the residual graph: the flow is not optimal")


def solve_flow(
    n: int,
    m: int,
    ci: I64,
    cj: I64,
    cs: I64,
    wants: I64,
    covered: BoolA,
    cap: I64,
    duals: bool = True,
) -> FlowSolution:
    t0 = time.perf_counter()
    first_cap = np.where(covered | (wants <= 0), 0, 1).astype(np.int64)
    m1, (c1e, c1m), alt1 = _max_flow(n, m, first_cap, ci, cj, cap)
    t1 = time.perf_counter()
    p, (c2e, c2m), alt2 = _max_flow(n, m, np.maximum(wants, 0).astype(np.int64), ci, cj, cap)
    t2 = time.perf_counter()
    t3 = t2
    if p < m1:
        raise SolverBug("stage 2 found fewer pairs than stage 1 found mentees")

    # Stage 3. Nodes: F=0, G=1, mentees 2.., mentors 2+n.., sink 2+n+m.
    nF, nG, off_e, off_m, snk = 0, 1, 2, 2 + n, 2 + n + m
    nn = snk + 1
    e1 = np.flatnonzero(first_cap > 0)
    g_cap = np.maximum(wants, 0) - first_cap
    e2 = np.flatnonzero(g_cap > 0)
    jm = np.flatnonzero(cap > 0)
    tails = np.concatenate(
        [np.full(len(e1), nF), np.full(len(e2), nG), off_e + ci, off_m + jm]
    ).astype(np.int32)
    heads = np.concatenate([off_e + e1, off_e + e2, off_m + cj, np.full(len(jm), snk)]).astype(
        np.int32
    )
    caps = np.concatenate(
        [np.ones(len(e1), dtype=np.int64), g_cap[e2], np.ones(len(ci), dtype=np.int64), cap[jm]]
    )
    costs = np.concatenate(
        [np.zeros(len(e1) + len(e2), dtype=np.int64), -cs, np.zeros(len(jm), dtype=np.int64)]
    )
    chosen = np.zeros(len(ci), dtype=np.bool_)
    pot = np.zeros(nn, dtype=np.int64)
    score = 0
    if p > 0:
        f = min_cost_flow.SimpleMinCostFlow()
        f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        supplies = np.zeros(nn, dtype=np.int64)
        supplies[nF] = m1
        supplies[nG] = p - m1
        supplies[snk] = -p
        f.set_nodes_supplies(np.arange(nn, dtype=np.int32), supplies)
        status = f.solve()
        if status != f.OPTIMAL:
            raise SolverBug(f"min cost flow failed with status {status}")
        flows = np.asarray(f.flows(np.arange(len(tails), dtype=np.int32)), dtype=np.int64)
        t3 = time.perf_counter()
        a0 = len(e1) + len(e2)
        chosen = flows[a0 : a0 + len(ci)] > 0
        score = int(cs[chosen].sum())
        if duals:  # only pricing needs them
            # residual graph: forward where flow < cap, backward where flow > 0
            fwd = flows < caps
            bwd = flows > 0
            t64, h64 = tails.astype(np.int64), heads.astype(np.int64)
            ru = np.concatenate([t64[fwd], h64[bwd]])
            rv = np.concatenate([h64[fwd], t64[bwd]])
            rc = np.concatenate([costs[fwd], -costs[bwd]])
            pot = bellman_ford(nn, ru, rv, rc)
    t4 = time.perf_counter()
    return FlowSolution(
        chosen=chosen,
        first_count=m1,
        pairs=p,
        score=score,
        cut1_e=c1e,
        cut1_m=c1m,
        cut2_e=c2e,
        cut2_m=c2m,
        pot_e=pot[off_e : off_e + n],
        pot_m=pot[off_m : off_m + m],
        cut1_alt=alt1,
        cut2_alt=alt2,
        timings=[
            ("stage1_maxflow_s", t1 - t0),
            ("stage2_maxflow_s", t2 - t1),
            ("stage3_mincost_s", t3 - t2),
            ("stage3_duals_s", t4 - t3),
        ],
    )
