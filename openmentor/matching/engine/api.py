"""The in-process API: ``solve`` and ``recommend``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import explain, fairness
from .embedding import Embedder, get_embedder
from .model import (
    SCORE_SCALE,
    Match,
    Objective,
    Problem,
    Recommendation,
    Result,
    Unmatched,
)
from .scoring import Candidates, Prepared, block, chunks, keys, prepare, top_k
from .solver import FlowSolution, solve_flow

I64 = NDArray[np.int64]
Progress = Callable[[float], None]
ADD_PER_ROW = 20  # left-out pairs added per mentee and pricing round


@dataclass
class Optimum:
    ii: I64  # chosen pairs, including locked ones
    jj: I64
    ss: I64
    locked: NDArray[np.bool_]
    mentees_matched: int
    upper_bound_slack: int
    rounds: int
    cands: Candidates


def _locked(prep: Prepared) -> tuple[I64, I64, I64]:
    pr = prep.problem
    ei = {x: i for i, x in enumerate(prep.e_ids)}
    mi = {x: j for j, x in enumerate(prep.m_ids)}
    li = np.array([ei[a] for a, _ in pr.locked_pairs], dtype=np.int64)
    lj = np.array([mi[b] for _, b in pr.locked_pairs], dtype=np.int64)
    ls = np.zeros(len(li), dtype=np.int64)
    if len(li):
        rows = np.unique(li)
        b = block(prep, rows)
        pos = np.searchsorted(rows, li)
        ls = b.s_int[pos, lj]
    return li, lj, ls


def optimise(
    prep: Prepared,
    progress: Progress | None = None,
    cands: Candidates | None = None,
    certify: bool = True,
) -> Optimum:
    """The lexicographic optimum; with ``certify`` (default) exact over all pairs."""
    pr = prep.problem
    n, m = prep.n, prep.m
    k = pr.settings.candidates_per_mentee
    if cands is None:
        cands = top_k(prep, k, (lambda x: progress(0.6 * x)) if progress else None)[0]
    li, lj, ls = _locked(prep)
    wants = np.array([pr.wants(p) for p in pr.mentees], dtype=np.int64)
    cap = np.array([p.capacity for p in pr.mentors], dtype=np.int64)
    np.subtract.at(wants, li, 1)
    np.subtract.at(cap, lj, 1)
    covered = np.zeros(n, dtype=np.bool_)
    covered[li] = True
    # candidate set, without locked pairs, as sorted unique pair codes
    code = cands.ii * m + cands.jj
    lcode = li * m + lj
    keep = ~np.isin(code, lcode)
    ci, cj, cs = cands.ii[keep], cands.jj[keep], cands.ss[keep]
    in_set = np.zeros(0, dtype=np.int64)
    rounds = 0
    while True:
        rounds += 1
        sol = solve_flow(n, m, ci, cj, cs, wants, covered, cap)
        if not certify:
            slack = -1
            break
        add_i, add_j, add_s, slack = _price(prep, cands, sol, ci * m + cj)
        if len(add_i) == 0:
            break
        ci = np.concatenate([ci, add_i])
        cj = np.concatenate([cj, add_j])
        cs = np.concatenate([cs, add_s])
        if progress:
            progress(min(0.95, 0.6 + 0.1 * rounds))
    del in_set
    ii = np.concatenate([li, ci[sol.chosen]])
    jj = np.concatenate([lj, cj[sol.chosen]])
    ss = np.concatenate([ls, cs[sol.chosen]])
    locked = np.concatenate([np.ones(len(li), bool), np.zeros(int(sol.chosen.sum()), bool)])
    order = (
        np.lexsort((np.array(prep.m_ids, dtype=object)[jj], np.array(prep.e_ids, dtype=object)[ii]))
        if len(ii)
        else np.zeros(0, dtype=np.int64)
    )
    matched = int(covered.sum()) + sol.first_count
    cands_all = Candidates(ci, cj, cs, cands.threshold, cands.stage_counts)
    return Optimum(
        ii[order], jj[order], ss[order], locked[order], matched, slack, rounds, cands_all
    )


def _price(
    prep: Prepared, cands: Candidates, sol: FlowSolution, codes: I64
) -> tuple[I64, I64, I64, int]:
    """Left-out pairs that could still improve the result, and the score slack bound."""
    m = prep.m
    thr = cands.threshold
    pruned_rows = thr >= 0
    out1 = bool((~sol.cut1_m).any())
    out2 = bool((~sol.cut2_m).any())
    thr_score = np.where(pruned_rows, thr // max(m, 1), -1)
    max_pm = int(sol.pot_m.max()) if m else 0
    need = pruned_rows & (
        (sol.cut1_e & out1) | (sol.cut2_e & out2) | (thr_score + max_pm > sol.pot_e)
    )
    rows_all = np.flatnonzero(need)
    if len(rows_all) == 0:
        return (np.zeros(0, np.int64),) * 3 + (0,)
    codes_sorted = np.sort(codes)
    ai, aj, as_ = [], [], []
    slack = 0
    for rows in chunks(prep, rows_all):
        b = block(prep, rows)
        c = rows[:, None] * m + np.arange(m)[None, :]
        pos = np.searchsorted(codes_sorted, c)
        present = codes_sorted[np.minimum(pos, len(codes_sorted) - 1)] == c
        left = b.allowed & ~present
        gain = b.s_int - sol.pot_e[rows][:, None] + sol.pot_m[None, :]
        viol = left & (
            (sol.cut1_e[rows][:, None] & ~sol.cut1_m[None, :])
            | (sol.cut2_e[rows][:, None] & ~sol.cut2_m[None, :])
            | (gain > 0)
        )
        slack += int(np.where(left & (gain > 0), gain, 0).sum())
        if not viol.any():
            continue
        kk = np.where(viol, keys(b.s_int, m), -1)
        take = min(ADD_PER_ROW, m)
        part = (
            np.argpartition(-kk, take - 1, axis=1)[:, :take]
            if m > take
            else np.broadcast_to(np.arange(m), kk.shape)
        )
        sel = np.take_along_axis(kk, part, axis=1) >= 0
        r_idx = np.broadcast_to(np.arange(len(rows))[:, None], part.shape)
        ai.append(rows[r_idx[sel]])
        aj.append(part[sel])
        as_.append(b.s_int[r_idx[sel], part[sel]])
    if not ai:
        return (np.zeros(0, np.int64),) * 3 + (slack,)
    return (
        np.concatenate(ai).astype(np.int64),
        np.concatenate(aj).astype(np.int64),
        np.concatenate(as_).astype(np.int64),
        slack,
    )


def _matched_scores(prep: Prepared, opt: Optimum) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for i, s in zip(opt.ii.tolist(), opt.ss.tolist(), strict=True):
        out.setdefault(prep.e_ids[i], []).append(s / SCORE_SCALE)
    return out


def solve(
    problem: Problem,
    *,
    with_candidates: bool = False,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    audit_drivers: bool = True,
) -> Result:
    """The exact optimum for the whole cohort, with reasons and the fairness audit."""
    t0 = time.perf_counter()
    prep = prepare(problem, (lambda: embedder) if embedder else get_embedder)
    t1 = time.perf_counter()
    opt = optimise(prep, progress)
    t2 = time.perf_counter()
    reasons = explain.match_reasons(prep, opt.ii, opt.jj, opt.ss)
    matches = tuple(
        Match(
            prep.e_ids[i],
            prep.m_ids[j],
            s / SCORE_SCALE,
            reasons[a],
            bool(opt.locked[a]),
        )
        for a, (i, j, s) in enumerate(
            zip(opt.ii.tolist(), opt.jj.tolist(), opt.ss.tolist(), strict=True)
        )
    )
    got = np.bincount(opt.ii, minlength=prep.n) if prep.n else np.zeros(0, dtype=np.int64)
    unmatched = []
    for i, p in sorted(enumerate(problem.mentees), key=lambda t: t[1].id):
        w = problem.wants(p)
        if got[i] < w:
            unmatched.append(
                Unmatched(
                    p.id,
                    int(w - got[i]),
                    explain.unmatched_reason(prep, i, opt.cands.stage_counts[i], int(got[i]), w),
                )
            )
    total = int(opt.ss.sum())
    objective = Objective(
        mentees_matched=opt.mentees_matched,
        matched_pairs=len(opt.ii),
        total_score=total / SCORE_SCALE,
        upper_bound=(total + opt.upper_bound_slack) / SCORE_SCALE,
        pricing_rounds=opt.rounds,
        candidates=len(opt.cands.ii) + len(problem.locked_pairs),
    )
    t3 = time.perf_counter()

    factors = sorted(prep.weights) if audit_drivers and prep.given is None else []
    alt: dict[str, Candidates] = {}

    def without(factor: str) -> dict[str, list[float]]:
        # The audit's counterfactual solves are optimal over each weighting's top-K
        # candidates (one shared scoring pass for all factors), not certified by pricing.
        if not alt:
            variants = [{f: w for f, w in prep.weights.items() if f != x} for x in factors]
            got = top_k(prep, problem.settings.candidates_per_mentee, variants=variants)
            alt.update(zip(factors, got, strict=True))
        w = {f: v for f, v in prep.weights.items() if f != factor}
        return _matched_scores(
            prep, optimise(prep.with_weights(w), cands=alt[factor], certify=False)
        )

    audit = fairness.audit(problem, _matched_scores(prep, opt), without, factors)
    t4 = time.perf_counter()
    if progress:
        progress(1.0)
    cand_out = None
    if with_candidates:
        li = np.array([a for a in range(len(opt.ii)) if opt.locked[a]], dtype=np.int64)
        ai = np.concatenate([opt.cands.ii, opt.ii[li]])
        aj = np.concatenate([opt.cands.jj, opt.jj[li]])
        as_ = np.concatenate([opt.cands.ss, opt.ss[li]])
        cand_out = tuple(
            sorted(
                (prep.e_ids[i], prep.m_ids[j], s / SCORE_SCALE)
                for i, j, s in zip(ai.tolist(), aj.tolist(), as_.tolist(), strict=True)
            )
        )
    return Result(
        matches=matches,
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


def recommend(
    problem: Problem,
    *,
    mentee_id: str | None = None,
    mentor_id: str | None = None,
    top: int = 5,
    embedder: Embedder | None = None,
) -> list[Recommendation]:
    """The best eligible mentors for a mentee (or mentees for a mentor) who still have room."""
    if (mentee_id is None) == (mentor_id is None):
        raise ValueError("give exactly one of mentee_id and mentor_id")
    prep = prepare(problem, (lambda: embedder) if embedder else get_embedder)
    pr = problem
    cap_left = {p.id: p.capacity for p in pr.mentors}
    want_left = {p.id: pr.wants(p) for p in pr.mentees}
    taken = set(pr.locked_pairs)
    for a, b in pr.locked_pairs:
        cap_left[b] -= 1
        want_left[a] -= 1
    if mentee_id is not None:
        i = prep.e_ids.index(mentee_id)
        blk = block(prep, np.array([i], dtype=np.int64))
        kk = np.where(blk.allowed[0], keys(blk.s_int, prep.m)[0], -1)
        left = np.array([cap_left[x] for x in prep.m_ids], dtype=np.int64)
        ok = (
            (kk >= 0)
            & (left > 0)
            & np.array([(mentee_id, x) not in taken for x in prep.m_ids], dtype=bool)
        )
        idx = [j for j in np.argsort(-kk, kind="stable").tolist() if ok[j]][:top]
        ii = np.full(len(idx), i, dtype=np.int64)
        jj = np.array(idx, dtype=np.int64)
        ss = blk.s_int[0, jj]
        rs = explain.match_reasons(prep, ii, jj, ss)
        return [
            Recommendation(prep.m_ids[j], int(s) / SCORE_SCALE, int(left[j]), r)
            for j, s, r in zip(idx, ss.tolist(), rs, strict=True)
        ]
    assert mentor_id is not None
    j = prep.m_ids.index(mentor_id)
    col_s = np.zeros(prep.n, dtype=np.int64)
    col_ok = np.zeros(prep.n, dtype=np.bool_)
    for rows in chunks(prep):
        bl = block(prep, rows)
        col_s[rows] = bl.s_int[:, j]
        col_ok[rows] = bl.allowed[:, j]
    wl = np.array([want_left[x] for x in prep.e_ids], dtype=np.int64)
    ok = col_ok & (wl > 0) & np.array([(x, mentor_id) not in taken for x in prep.e_ids], dtype=bool)
    kk = np.where(ok, col_s * prep.n + (prep.n - 1 - np.arange(prep.n)), -1)
    idx = [i for i in np.argsort(-kk, kind="stable").tolist() if ok[i]][:top]
    ii = np.array(idx, dtype=np.int64)
    jj = np.full(len(idx), j, dtype=np.int64)
    rs = explain.match_reasons(prep, ii, jj, col_s[ii])
    return [
        Recommendation(prep.e_ids[i], int(col_s[i]) / SCORE_SCALE, int(wl[i]), r)
        for i, r in zip(idx, rs, strict=True)
    ]
