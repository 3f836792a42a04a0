"""The in-process API: ``solve`` and ``recommend``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import explain, fairness
from .candidates import BoundCache, Candidates, chunks, keys, top_k
from .embedding import DEFAULT_BACKEND, Embedder, get_embedder
from .model import (
    SCORE_SCALE,
    Match,
    Objective,
    Problem,
    Recommendation,
    Result,
    Unmatched,
)
from .parallel import pmap
from .scoring import Prepared, block, prepare
from .solver import Cut, FlowSolution, solve_flow

I64 = NDArray[np.int64]
Progress = Callable[[float], None]
Phases = list[tuple[str, float]]
log = logging.getLogger(__name__)
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
    alt: list[Candidates]  # top-K candidates of the extra weightings, if any were asked


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
    phases: Phases | None = None,
    variants: Sequence[dict[str, float]] = (),
) -> Optimum:
    """The lexicographic optimum; with ``certify`` (default) exact over all pairs.

    ``variants``: further weightings whose top-K candidates are selected in the same
    scoring pass (for the fairness audit), returned as ``Optimum.alt``.
    """
    pr = prep.problem
    n, m = prep.n, prep.m
    k = pr.settings.candidates_per_mentee
    ph: Phases = phases if phases is not None else []
    t0 = time.perf_counter()
    alt: list[Candidates] = []
    if cands is None:
        prog = (lambda x: progress(0.6 * x)) if progress else None
        # bounds help only when top-K prunes; with given scores, only past K scores a mentee
        prunes = prep.given is None or int(np.diff(prep.given.indptr).max(initial=0)) > k
        vs = [prep.weights, *variants]
        cands, *alt = top_k(prep, k, prog, variants=vs, cache=certify and prunes)
        ph.append(("topk_s", time.perf_counter() - t0))
    li, lj, ls = _locked(prep)
    if cands.cache is not None:
        cands.cache.drop(li, lj, reserve=True)
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
        sol = solve_flow(n, m, ci, cj, cs, wants, covered, cap, duals=certify)
        ph.extend((f"round{rounds}_{name}", v) for name, v in sol.timings)
        if not certify:
            slack = -1
            break
        t0 = time.perf_counter()
        # locked pairs count as present: pricing must never offer them a second time
        add_i, add_j, add_s, slack = _price(prep, cands, sol, np.concatenate([ci * m + cj, lcode]))
        ph.append((f"round{rounds}_pricing_s", time.perf_counter() - t0))
        log.debug("round %d: %d arcs, %d pairs added, slack %d", rounds, len(ci), len(add_i), slack)
        if len(add_i) == 0:
            break
        if cands.cache is not None:
            cands.cache.drop(add_i, add_j)
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
        ii[order], jj[order], ss[order], locked[order], matched, slack, rounds, cands_all, alt
    )


def _price(
    prep: Prepared, cands: Candidates, sol: FlowSolution, codes: I64
) -> tuple[I64, I64, I64, int]:
    """Left-out pairs that could still improve the result, and the score slack bound.

    A left-out allowed pair (i, j) could improve the result if it crosses the stage-1 or
    stage-2 min cut (mentee on the source side, mentor not; with a cache, of the two min
    cuts the flow gives, the one fewer left-out pairs cross), or if its reduced gain
    ``s - pot_e[i] + pot_m[j]`` is positive. Only mentees that may have such a pair are
    scored again: those whose cached bounds allow it (:class:`BoundCache`), or without a
    cache those whose K-th candidate score plus the largest mentor potential allows it.
    """
    m = prep.m
    cache = cands.cache
    if cache is not None:
        rows_all = _rows_to_price(prep, cache, sol)  # also picks the min cuts to check
    else:
        thr = cands.threshold
        pruned_rows = thr >= 0
        thr_score = np.where(pruned_rows, thr // max(m, 1), -1)
        max_pm = int(sol.pot_m.max()) if m else 0
        need = pruned_rows & (
            (sol.cut1_e & bool((~sol.cut1_m).any()))
            | (sol.cut2_e & bool((~sol.cut2_m).any()))
            | (thr_score + max_pm > sol.pot_e)
        )
        rows_all = np.flatnonzero(need)
    out1 = ~sol.cut1_m
    out2 = ~sol.cut2_m
    none = np.zeros(0, np.int64)
    from_reserve = (none, none, none, 0)
    if cache is not None:
        from_reserve = _price_reserve(prep, cache, sol)
    log.debug(
        "pricing: %d reserve pairs added; %d of %d mentees scored again",
        len(from_reserve[0]),
        len(rows_all),
        prep.n,
    )
    if len(rows_all) == 0:
        return from_reserve
    codes_sorted = np.sort(codes) if cache is None else codes

    def one(rows: I64) -> tuple[I64, I64, I64, int]:
        b = block(prep, rows)
        if cache is not None:
            left = b.allowed & (cache.q[rows] > 0)
        else:
            c = rows[:, None] * m + np.arange(m)[None, :]
            left = b.allowed & ~_in_sorted(codes_sorted, c)
        gain = b.s_int - sol.pot_e[rows][:, None] + sol.pot_m[None, :]
        viol = left & (
            (sol.cut1_e[rows][:, None] & out1[None, :])
            | (sol.cut2_e[rows][:, None] & out2[None, :])
            | (gain > 0)
        )
        slack = int(np.where(left & (gain > 0), gain, 0).sum())
        if not viol.any():
            return none, none, none, slack
        kk = np.where(viol, keys(b.s_int, m), -1)
        take = min(ADD_PER_ROW, m)
        part = (
            np.argpartition(-kk, take - 1, axis=1)[:, :take]
            if m > take
            else np.broadcast_to(np.arange(m), kk.shape)
        )
        sel = np.take_along_axis(kk, part, axis=1) >= 0
        r_idx = np.broadcast_to(np.arange(len(rows))[:, None], part.shape)
        return rows[r_idx[sel]], part[sel], b.s_int[r_idx[sel], part[sel]], slack

    got = [from_reserve, *pmap(one, list(chunks(prep, rows_all)), prep.threads)]
    slack = sum(g[3] for g in got)
    return (
        np.concatenate([none, *(g[0] for g in got)]).astype(np.int64),
        np.concatenate([none, *(g[1] for g in got)]).astype(np.int64),
        np.concatenate([none, *(g[2] for g in got)]).astype(np.int64),
        slack,
    )


def _price_reserve(
    prep: Prepared, cache: BoundCache, sol: FlowSolution
) -> tuple[I64, I64, I64, int]:
    """Price the reserve exactly (no scoring); the improving pairs leave the reserve."""
    m = prep.m
    idx = np.flatnonzero(cache.alive)
    ri, rj, rs = cache.res_i[idx], cache.res_j[idx], cache.res_s[idx]
    gain = rs - sol.pot_e[ri] + sol.pot_m[rj]
    viol = (sol.cut1_e[ri] & ~sol.cut1_m[rj]) | (sol.cut2_e[ri] & ~sol.cut2_m[rj]) | (gain > 0)
    slack = int(gain[gain > 0].sum())
    v = idx[viol]
    if len(v) == 0:
        none = np.zeros(0, np.int64)
        return none, none, none, slack
    # at most ADD_PER_ROW per mentee, best first (higher score, then lower mentor index)
    vi, vj = cache.res_i[v], cache.res_j[v]
    order = np.lexsort((-(cache.res_s[v] * m + (m - 1 - vj)), vi))
    v, vi = v[order], vi[order]
    first = np.ones(len(v), dtype=np.bool_)
    first[1:] = vi[1:] != vi[:-1]
    pos = np.arange(len(v))
    rank = pos - np.maximum.accumulate(np.where(first, pos, 0))
    take = v[rank < ADD_PER_ROW]
    cache.alive[take] = False
    return cache.res_i[take], cache.res_j[take], cache.res_s[take], slack


def _rows_to_price(prep: Prepared, cache: BoundCache, sol: FlowSolution) -> I64:
    """Mentees with a left-out pair whose cached bound could improve the result."""
    n = prep.n
    if n == 0 or prep.m == 0:
        return np.zeros(0, dtype=np.int64)
    lut = cache.ub()
    pm = sol.pot_m.astype(np.float32)
    big = float(np.abs(sol.pot_m).max()) + float(np.abs(sol.pot_e).max()) + SCORE_SCALE
    # float32 rounding of the bound and potentials, plus a score unit either way
    margin = 8.0 * float(np.spacing(np.float32(big))) + 2.0
    flag = _choose_cuts(prep, cache, sol)

    def one(rows: I64) -> NDArray[np.bool_]:
        best = np.take(lut, cache.q[rows])
        best += pm[None, :]
        return np.asarray(best.max(axis=1).astype(np.float64) + margin > sol.pot_e[rows])

    parts = list(chunks(prep))
    by_bound = np.concatenate([np.zeros(0, np.bool_), *pmap(one, parts, prep.threads)])
    log.debug("pricing: %d mentees cross a cut, %d by bounds", flag.sum(), by_bound.sum())
    return np.flatnonzero(by_bound | flag)


def _crossing(prep: Prepared, cache: BoundCache, cut: Cut) -> NDArray[np.bool_]:
    """Mentees with a left-out allowed pair (cached or in the reserve) that crosses ``cut``."""
    cut_e, cut_m = cut
    out_m = ~cut_m
    rows_in = np.flatnonzero(cut_e)
    flag = np.zeros(prep.n, dtype=np.bool_)
    if len(rows_in) == 0 or not out_m.any():
        return flag
    a = np.flatnonzero(cache.alive)
    ri, rj = cache.res_i[a], cache.res_j[a]
    flag[ri[cut_e[ri] & out_m[rj]]] = True
    cols = np.flatnonzero(out_m)

    def one(rows: I64) -> NDArray[np.bool_]:
        return np.asarray((cache.q[np.ix_(rows, cols)] > 0).any(axis=1))

    parts = list(chunks(prep, rows_in, cells=4_000_000 * prep.m // max(len(cols), 1)))
    flag[rows_in] |= np.concatenate([np.zeros(0, np.bool_), *pmap(one, parts, prep.threads)])
    return flag


def _choose_cuts(prep: Prepared, cache: BoundCache, sol: FlowSolution) -> NDArray[np.bool_]:
    """For stages 1 and 2, the min cut (of the two the flow gives) that the fewest left-out
    pairs cross; it becomes ``sol.cut1_*`` / ``sol.cut2_*``. Mentees with a crossing pair."""
    flag = np.zeros(prep.n, dtype=np.bool_)
    for stage in (1, 2):
        options: list[Cut] = [
            (sol.cut1_e, sol.cut1_m) if stage == 1 else (sol.cut2_e, sol.cut2_m),
            sol.cut1_alt if stage == 1 else sol.cut2_alt,
        ]
        options = [c for c in options if len(c[0]) == prep.n and len(c[1]) == prep.m]
        # cheapest to check first: fewest (source-side mentees x sink-side mentors)
        options.sort(key=lambda c: int(c[0].sum()) * int((~c[1]).sum()))
        best: tuple[int, Cut, NDArray[np.bool_]] | None = None
        for c in options:
            f = _crossing(prep, cache, c)
            if best is None or int(f.sum()) < best[0]:
                best = (int(f.sum()), c, f)
            if best[0] == 0:
                break
        if best is None:
            continue
        if stage == 1:
            sol.cut1_e, sol.cut1_m = best[1]
        else:
            sol.cut2_e, sol.cut2_m = best[1]
        flag |= best[2]
    return flag


def _in_sorted(sorted_codes: I64, c: I64) -> NDArray[np.bool_]:
    """Elementwise ``c in sorted_codes`` (which may be empty)."""
    if len(sorted_codes) == 0:
        return np.zeros(c.shape, dtype=np.bool_)
    pos = np.minimum(np.searchsorted(sorted_codes, c), len(sorted_codes) - 1)
    return np.asarray(sorted_codes[pos] == c, dtype=np.bool_)


def _matched_scores(prep: Prepared, opt: Optimum) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for i, s in zip(opt.ii.tolist(), opt.ss.tolist(), strict=True):
        out.setdefault(prep.e_ids[i], []).append(s / SCORE_SCALE)
    return out


def _embedder_for(embedder: Embedder | None, backend: str) -> Callable[[], Embedder]:
    """Loads the backend's embedder only when a text factor needs it."""
    if embedder is not None:
        return lambda: embedder
    return lambda: get_embedder(backend)


def solve(
    problem: Problem,
    *,
    with_candidates: bool = False,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    audit_drivers: bool = True,
    embedding_backend: str = DEFAULT_BACKEND,
    threads: int | None = None,
) -> Result:
    """The exact optimum for the whole cohort, with reasons and the fairness audit.

    `embedding_backend` names the text-meaning model when no `embedder` is given;
    `threads` is how many threads score (default: the usable cores, at most 4). The
    result does not depend on the number of threads.
    """
    if problem.mode == "peer":
        from .peer import solve_peers

        return solve_peers(
            problem,
            with_candidates=with_candidates,
            progress=progress,
            embedder=_embedder_for(embedder, embedding_backend),
            threads=threads,
        )
    t0 = time.perf_counter()
    ph: Phases = []
    prep = prepare(problem, _embedder_for(embedder, embedding_backend), ph, threads)
    t1 = time.perf_counter()
    factors = sorted(prep.weights) if audit_drivers and prep.given is None else []
    # The audit's counterfactual weightings (each factor left out) are scored in the same
    # pass as the solve's candidates when an audit may need them; else lazily, if flagged.
    variants = [{f: w for f, w in prep.weights.items() if f != x} for x in factors]
    eager = len(factors) >= 2 and bool(fairness.attributes(problem))
    opt = optimise(prep, progress, phases=ph, variants=variants if eager else ())
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

    alt: dict[str, Candidates] = dict(zip(factors, opt.alt, strict=False))

    def without(factor: str) -> dict[str, list[float]]:
        # The audit's counterfactual solves are optimal over each weighting's top-K
        # candidates (one shared scoring pass for all factors), not certified by pricing.
        if not alt:
            ta = time.perf_counter()
            got = top_k(prep, problem.settings.candidates_per_mentee, variants=variants)
            alt.update(zip(factors, got, strict=True))
            ph.append(("fairness_topk_s", time.perf_counter() - ta))
        tb = time.perf_counter()
        w = {f: v for f, v in prep.weights.items() if f != factor}
        out = _matched_scores(
            prep, optimise(prep.with_weights(w), cands=alt[factor], certify=False)
        )
        ph.append((f"fairness_without_{factor}_s", time.perf_counter() - tb))
        return out

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
            *ph,
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
    embedding_backend: str = DEFAULT_BACKEND,
    threads: int | None = None,
) -> list[Recommendation]:
    """The best eligible mentors for a mentee (or mentees for a mentor) who still have room.

    `embedding_backend` and `threads` as for `solve`.
    """
    if (mentee_id is None) == (mentor_id is None):
        raise ValueError("give exactly one of mentee_id and mentor_id")
    if problem.mode == "peer":
        raise ValueError("recommendations are for mentoring problems, not peer mode")
    prep = prepare(problem, _embedder_for(embedder, embedding_backend), None, threads)
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
