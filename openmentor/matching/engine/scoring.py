"""Vectorised factor matrices, hard-rule masks and top-K candidates.

Protected attributes are never read here: ``prepare`` copies only the scoring fields of
each person into arrays, so nothing downstream can see them.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from . import availability as av
from .embedding import Embedder
from .model import SCORE_SCALE, Person, Problem, Question

F32 = NDArray[np.float32]
I64 = NDArray[np.int64]
BoolA = NDArray[np.bool_]
# scipy.sparse has no precise stubs: sparse matrices are typed loosely.
CSR: TypeAlias = Any

# Order in which hard rules are applied when explaining why a mentee has no candidate.
STAGES = (
    "language",
    "timezone",
    "overlap",
    "department",
    "reporting_line",
    "forbidden",
    "min_score",
)


def _multi_hot(rows: Sequence[Sequence[str]], vocab: dict[str, int]) -> CSR:
    ind, ptr = [], [0]
    for r in rows:
        cols = sorted({vocab[x] for x in r if x in vocab})
        ind.extend(cols)
        ptr.append(len(ind))
    data = np.ones(len(ind), dtype=np.float32)
    return sp.csr_matrix(
        (data, np.array(ind, dtype=np.int64), np.array(ptr, dtype=np.int64)),
        shape=(len(rows), len(vocab)),
    )


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


@dataclass
class AnswerFactor:
    question: Question
    e: CSR
    m: CSR
    e_n: F32
    m_n: F32


@dataclass
class Prepared:
    """Everything scoring needs, as arrays; built once per problem."""

    problem: Problem
    n: int
    m: int
    e_ids: list[str]
    m_ids: list[str]
    weights: dict[str, float]
    min_int: int
    given: CSR | None = None  # scores mode: n×m scores; presence in given_mask
    given_mask: CSR | None = None
    skill_vocab: list[str] = field(default_factory=list)
    skill_want: CSR | None = None
    skill_offer: CSR | None = None
    skill_near: CSR | None = None
    want_n: F32 | None = None
    emb: dict[str, tuple[F32, F32]] = field(default_factory=dict)
    grids: list[av.WeekGrid] = field(default_factory=list)
    weeks: list[object] = field(default_factory=list)
    e_iv: list[list[list[tuple[int, int]]]] = field(default_factory=list)
    m_iv: list[list[list[tuple[int, int]]]] = field(default_factory=list)
    sen_e: F32 | None = None
    sen_m: F32 | None = None
    answers: list[AnswerFactor] = field(default_factory=list)
    lang_e: CSR | None = None
    lang_m: CSR | None = None
    off_e: F32 | None = None  # weeks × n, nan where unknown
    off_m: F32 | None = None
    dept_e: I64 | None = None
    dept_m: I64 | None = None
    reporting: CSR | None = None  # n×m, includes a person paired with themselves
    forbidden: CSR | None = None

    def with_weights(self, weights: dict[str, float]) -> Prepared:
        from dataclasses import replace

        return replace(self, weights={k: v for k, v in weights.items() if v > 0})


def prepare(
    problem: Problem,
    embedder: Callable[[], Embedder],
    phases: list[tuple[str, float]] | None = None,
) -> Prepared:
    st = problem.settings
    t_emb = 0.0
    es, ms = problem.mentees, problem.mentors
    n, m = len(es), len(ms)
    e_ids = [p.id for p in es]
    m_ids = [p.id for p in ms]
    ei = {x: i for i, x in enumerate(e_ids)}
    mi = {x: j for j, x in enumerate(m_ids)}
    weights = {k: v for k, v in st.weights if v > 0}
    for q in st.questions:
        if q.weight > 0:
            weights[f"answers.{q.key}"] = q.weight
    min_int = int(np.ceil(st.min_score * SCORE_SCALE - 1e-6))
    prep = Prepared(problem, n, m, e_ids, m_ids, weights, min_int)

    def pair_matrix(pairs: Sequence[tuple[int, int]]) -> CSR:
        if not pairs:
            return sp.csr_matrix((n, m), dtype=np.bool_)
        a = np.array(pairs, dtype=np.int64)
        return sp.csr_matrix(
            (np.ones(len(a), dtype=np.bool_), (a[:, 0], a[:, 1])), shape=(n, m), dtype=np.bool_
        )

    prep.forbidden = pair_matrix([(ei[a], mi[b]) for a, b in problem.forbidden_pairs])
    selfpairs = [(ei[x], mi[x]) for x in e_ids if x in mi]
    if problem.scores is not None:
        prep.reporting = pair_matrix(selfpairs)
        sc = problem.scores
        rows = np.array([ei[a] for a, _, _ in sc], dtype=np.int64)
        cols = np.array([mi[b] for _, b, _ in sc], dtype=np.int64)
        vals = np.array([s for _, _, s in sc], dtype=np.float64)
        prep.given = sp.csr_matrix((vals, (rows, cols)), shape=(n, m))
        prep.given_mask = pair_matrix(list(zip(rows.tolist(), cols.tolist(), strict=True)))
        return prep

    rules = st.rules
    # Reporting line: a person's manager or their manager's manager, either direction.
    mgr: dict[str, str] = {}
    for p in (*ms, *es):
        if p.manager_id:
            mgr.setdefault(p.id, p.manager_id)

    def chain(x: str) -> set[str]:
        out = set()
        a = mgr.get(x)
        if a:
            out.add(a)
            b = mgr.get(a)
            if b:
                out.add(b)
        return out

    rep = list(selfpairs)
    if rules.forbid_reporting_line:
        for x in e_ids:
            rep.extend((ei[x], mi[y]) for y in chain(x) if y in mi)
        for y in m_ids:
            rep.extend((ei[x], mi[y]) for x in chain(y) if x in ei)
    prep.reporting = pair_matrix(sorted(set(rep)))

    # Skills, with related skills counting partly.
    vocab_set = {s for p in (*es, *ms) for s in p.skills}
    related: dict[str, set[str]] = {}
    for k, vs in st.related_skills:
        for v in vs:
            if v != k:
                related.setdefault(k, set()).add(v)
                related.setdefault(v, set()).add(k)
    vocab_set |= set(related)
    vocab_list = sorted(vocab_set)
    vocab = {s: i for i, s in enumerate(vocab_list)}
    prep.skill_vocab = vocab_list
    prep.skill_want = _multi_hot([p.skills for p in es], vocab)
    prep.skill_offer = _multi_hot([p.skills for p in ms], vocab)
    prep.skill_near = _multi_hot(
        [sorted(set(p.skills) | {r for s in p.skills for r in related.get(s, ())}) for p in ms],
        vocab,
    )
    prep.want_n = np.asarray(prep.skill_want.sum(axis=1), dtype=np.float32).ravel()

    for f in ("goals", "bio"):
        if weights.get(f, 0) > 0:
            t0 = time.perf_counter()
            emb = embedder()
            te = [p.goals if f == "goals" else p.bio for p in es]
            tm = [p.goals if f == "goals" else p.bio for p in ms]
            vec = emb.embed(te + tm)
            prep.emb[f] = (vec[:n], vec[n:])
            t_emb += time.perf_counter() - t0
    if phases is not None:
        phases.append(("embedding_s", t_emb))

    weeks = [av.week_start(w) for w in st.availability_weeks]
    prep.weeks = list(weeks)
    # People share timezones and often slots: convert each distinct (zone, slots, week) once.
    iv_memo: dict[tuple[object, ...], list[tuple[int, int]]] = {}

    def ivs(p: Person, wk: dt.date) -> list[tuple[int, int]]:
        key = (p.timezone, p.availability, wk)
        got = iv_memo.get(key)
        if got is None:
            got = iv_memo[key] = av.utc_intervals(p, wk)
        return list(got)

    for wk in weeks:
        e_iv = [ivs(p, wk) for p in es]
        m_iv = [ivs(p, wk) for p in ms]
        prep.e_iv.append(e_iv)
        prep.m_iv.append(m_iv)
        prep.grids.append(av.build_grid(e_iv, m_iv))

    def sen(people: Sequence[Person]) -> F32:
        return np.array(
            [np.nan if p.seniority is None else p.seniority for p in people], dtype=np.float32
        )

    prep.sen_e, prep.sen_m = sen(es), sen(ms)

    for q in st.questions:
        if q.weight <= 0:
            continue
        ea = [dict(p.answers).get(q.key, ()) for p in es]
        ma = [dict(p.answers).get(q.key, ()) for p in ms]
        qv = {s: i for i, s in enumerate(sorted({x for a in ea + ma for x in a}))}
        e_mat, m_mat = _multi_hot(ea, qv), _multi_hot(ma, qv)
        prep.answers.append(
            AnswerFactor(
                q,
                e_mat,
                m_mat,
                np.asarray(e_mat.sum(axis=1), dtype=np.float32).ravel(),
                np.asarray(m_mat.sum(axis=1), dtype=np.float32).ravel(),
            )
        )

    lv = {
        s: i for i, s in enumerate(sorted({_primary(t) for p in (*es, *ms) for t in p.languages}))
    }
    prep.lang_e = _multi_hot([[_primary(t) for t in p.languages] for p in es], lv)
    prep.lang_m = _multi_hot([[_primary(t) for t in p.languages] for p in ms], lv)

    off_memo: dict[tuple[object, ...], float] = {}

    def off(p: Person, wk: dt.date) -> float:
        key = (p.timezone, wk)
        if key not in off_memo:
            o = av.utc_offset_hours(p, wk)
            off_memo[key] = np.nan if o is None else o
        return off_memo[key]

    def offs(people: Sequence[Person]) -> F32:
        return np.array(
            [[off(p, wk) for p in people] for wk in weeks],
            dtype=np.float32,
        ).reshape(len(weeks), len(people))

    prep.off_e, prep.off_m = offs(es), offs(ms)
    dv = {d: i for i, d in enumerate(sorted({p.department for p in (*es, *ms) if p.department}))}
    prep.dept_e = np.array([dv.get(p.department or "", -1) for p in es], dtype=np.int64)
    prep.dept_m = np.array([dv.get(p.department or "", -1) for p in ms], dtype=np.int64)
    return prep


@dataclass
class Block:
    rows: I64
    s_int: I64  # r×m
    allowed: BoolA  # r×m (all hard rules, forbidden pairs and min_score)
    stage_counts: NDArray[np.int32]  # r×len(STAGES): mentors left after each rule


def overlap_block(prep: Prepared, rows: I64) -> F32:
    ov: F32 | None = None
    for g in prep.grids:
        x = np.asarray((g.mentees[rows] * g.lengths[None, :]) @ g.mentors.T, dtype=np.float32)
        ov = x if ov is None else np.minimum(ov, x)
    assert ov is not None
    return ov


def factor_block(prep: Prepared, rows: I64, name: str) -> F32:
    """Factor ``name`` in [0, 1] for mentees ``rows`` × all mentors."""
    st = prep.problem.settings
    if name == "skills":
        assert prep.skill_want is not None and prep.skill_offer is not None
        assert prep.skill_near is not None and prep.want_n is not None
        w = prep.skill_want[rows]
        exact = np.asarray((w @ prep.skill_offer.T).toarray(), dtype=np.float32)
        near = np.asarray((w @ prep.skill_near.T).toarray(), dtype=np.float32)
        credit = exact + st.related_skill_credit * (near - exact)
        return np.asarray(credit / np.maximum(prep.want_n[rows], 1.0)[:, None], dtype=np.float32)
    if name in ("goals", "bio"):
        ve, vm = prep.emb[name]
        return np.asarray(np.clip(ve[rows] @ vm.T, 0.0, 1.0), dtype=np.float32)
    if name == "availability":
        ov = overlap_block(prep, rows)
        return np.asarray(
            np.minimum(ov / np.float32(st.availability_target_minutes), 1.0), dtype=np.float32
        )
    if name == "seniority":
        assert prep.sen_e is not None and prep.sen_m is not None
        gap = prep.sen_m[None, :] - prep.sen_e[rows][:, None]
        f = np.clip(gap / np.float32(st.seniority_margin_years), 0.0, 1.0)
        return np.asarray(np.nan_to_num(f, nan=0.0), dtype=np.float32)
    if name.startswith("answers."):
        a = next(x for x in prep.answers if f"answers.{x.question.key}" == name)
        inter = np.asarray((a.e[rows] @ a.m.T).toarray(), dtype=np.float32)
        ne = a.e_n[rows][:, None]
        nm = a.m_n[None, :]
        if a.question.compare == "same":
            return np.asarray((inter == ne) & (inter == nm) & (ne > 0), dtype=np.float32)
        union = ne + nm - inter
        return np.asarray(
            np.where(union > 0, inter / np.maximum(union, 1.0), 0.0), dtype=np.float32
        )
    raise KeyError(name)


def _rows_of(mat: CSR, rows: I64) -> BoolA:
    return np.asarray(mat[rows].toarray(), dtype=np.bool_)


def block(prep: Prepared, rows: I64) -> Block:
    """Scores (integers in millionths) and the allowed mask for mentees ``rows``."""
    return block_variants(prep, rows, [prep.weights])[0]


def block_variants(prep: Prepared, rows: I64, variants: Sequence[dict[str, float]]) -> list[Block]:
    """Like ``block`` for several weightings at once: factors and rules are computed once."""
    return list(iter_block_variants(prep, rows, variants))


def iter_block_variants(
    prep: Prepared, rows: I64, variants: Sequence[dict[str, float]]
) -> Iterator[Block]:
    """``block_variants`` one weighting at a time (only one variant's block held at once)."""
    r, m = len(rows), prep.m
    counts = np.zeros((r, len(STAGES)), dtype=np.int32)
    if prep.given is not None:
        assert prep.given_mask is not None and prep.forbidden is not None
        assert prep.reporting is not None
        s = np.asarray(prep.given[rows].toarray(), dtype=np.float64)
        s_int = np.rint(s * SCORE_SCALE).astype(np.int64)
        ok = _rows_of(prep.given_mask, rows)
        counts[:, :4] = ok.sum(axis=1)[:, None]
        ok &= ~_rows_of(prep.reporting, rows)
        counts[:, 4] = ok.sum(axis=1)
        ok &= ~_rows_of(prep.forbidden, rows)
        counts[:, 5] = ok.sum(axis=1)
        ok &= s_int >= prep.min_int
        counts[:, 6] = ok.sum(axis=1)
        for _ in variants:
            yield Block(rows, s_int, ok, counts)
        return

    st = prep.problem.settings
    rules = st.rules
    names = sorted({k for w in variants for k, v in w.items() if v > 0})
    ov: F32 | None = None
    fac: dict[str, F32] = {}
    for name in names:
        if name == "availability":
            ov = overlap_block(prep, rows)
            fac[name] = np.minimum(ov / np.float32(st.availability_target_minutes), 1.0)
        else:
            fac[name] = factor_block(prep, rows, name)
    assert prep.dept_e is not None and prep.dept_m is not None
    de = prep.dept_e[rows][:, None]
    same_dept = (de >= 0) & (de == prep.dept_m[None, :])

    assert prep.lang_e is not None and prep.lang_m is not None
    ok = np.ones((r, m), dtype=np.bool_)
    if rules.require_common_language:
        le = prep.lang_e[rows]
        common = np.asarray((le @ prep.lang_m.T).toarray()) > 0
        has_e = np.asarray(le.sum(axis=1)).ravel() > 0
        has_m = np.asarray(prep.lang_m.sum(axis=1)).ravel() > 0
        ok &= common | ~has_e[:, None] | ~has_m[None, :]
    counts[:, 0] = ok.sum(axis=1)
    if rules.max_timezone_gap_hours is not None:
        assert prep.off_e is not None and prep.off_m is not None
        for wk in range(prep.off_e.shape[0]):
            d = np.abs(prep.off_e[wk, rows][:, None] - prep.off_m[wk][None, :])
            d = np.minimum(d, 24.0 - d)
            ok &= ~(d > rules.max_timezone_gap_hours + 1e-6)  # nan (unknown) passes
    counts[:, 1] = ok.sum(axis=1)
    if rules.min_availability_overlap_minutes > 0:
        if ov is None:
            ov = overlap_block(prep, rows)
        ok &= ov >= rules.min_availability_overlap_minutes
    counts[:, 2] = ok.sum(axis=1)
    if rules.same_department == "forbid":
        ok &= ~same_dept
    counts[:, 3] = ok.sum(axis=1)
    assert prep.reporting is not None and prep.forbidden is not None
    ok &= ~_rows_of(prep.reporting, rows)
    counts[:, 4] = ok.sum(axis=1)
    ok &= ~_rows_of(prep.forbidden, rows)
    counts[:, 5] = ok.sum(axis=1)

    first: tuple[dict[str, float], F32] | None = None
    for weights in variants:
        wts = {k: v for k, v in weights.items() if v > 0}
        wsum = sum(wts.values())
        if first is not None and _one_less(first[0], wts) is not None:
            # the first weighting less one factor (the fairness audit's counterfactuals)
            gone = _one_less(first[0], wts)
            assert gone is not None
            total = first[1] - np.float32(first[0][gone]) * fac[gone]
        else:
            total = np.zeros((r, m), dtype=np.float32)
            for name, w in sorted(wts.items()):
                total += np.float32(w) * fac[name]
            if first is None:
                first = (wts, total)
        score = total / np.float32(wsum) if wsum > 0 else total
        if rules.same_department == "avoid":
            score = score - np.float32(rules.department_penalty) * same_dept
        s_int = np.rint(np.clip(score, 0.0, 1.0).astype(np.float64) * SCORE_SCALE).astype(np.int64)
        okv = ok & (s_int >= prep.min_int)
        cv = counts.copy()
        cv[:, 6] = okv.sum(axis=1)
        yield Block(rows, s_int, okv, cv)


def workers() -> int:
    """Threads for chunked scoring: $OPENMENTOR_MATCHING_THREADS, else the usable cores (<= 4).

    numpy, scipy's sparse products and BLAS release the GIL on large arrays, so chunks
    scored in threads run on several cores; results are gathered in chunk order, so they
    do not depend on the number of threads.
    """
    env = os.environ.get("OPENMENTOR_MATCHING_THREADS")
    if env:
        return max(1, int(env))
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


T = TypeVar("T")
R = TypeVar("R")


def pmap(fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
    """``map`` over a thread pool (in order), at most one item in flight per thread."""
    w = workers()
    if w == 1 or len(items) < 2:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=w) as ex:
        pending: deque[Future[R]] = deque()
        for it in items:
            pending.append(ex.submit(fn, it))
            if len(pending) >= w:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _one_less(a: dict[str, float], b: dict[str, float]) -> str | None:
    """The factor ``b`` lacks if ``b`` is ``a`` with exactly one factor removed."""
    extra = set(a) - set(b)
    if len(extra) == 1 and len(a) == len(b) + 1 and all(a[k] == v for k, v in b.items()):
        return extra.pop()
    return None


def chunks(prep: Prepared, rows: I64 | None = None, cells: int | None = None) -> Iterator[I64]:
    """Row blocks of about ``cells`` pairs (default: 4 million shared among the threads)."""
    all_rows = np.arange(prep.n, dtype=np.int64) if rows is None else rows
    if cells is None:
        cells = 4_000_000 // workers()
    step = max(1, cells // max(prep.m, 1))
    for a in range(0, len(all_rows), step):
        yield all_rows[a : a + step]


@dataclass
class BoundCache:
    """Upper bounds of the scores of the allowed pairs left out of the candidate set.

    ``q[i, j]`` is 0 where the pair is not allowed or is a candidate; otherwise
    ``s_int // step + 1``, so that ``s_int <= q * step - 1``. Pricing scans these
    bounds (one byte or two per pair) instead of re-scoring every mentee: only mentees with
    a pair whose bound could still improve the result are scored again, exactly.
    """

    q: NDArray[np.unsignedinteger[Any]]
    step: int
    # The reserve: each mentee's next best pairs after the top K, with exact scores, priced
    # exactly without re-scoring (their q is 0 too); ``alive`` until they join the candidates.
    res_i: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    res_j: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    res_s: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    alive: BoolA = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))

    def ub(self) -> NDArray[np.float32]:
        """Lookup table: level → score bound (a float32 filter; -inf for level 0)."""
        top = int(np.iinfo(self.q.dtype).max)
        lut = (np.arange(top + 1, dtype=np.float64) * self.step - 1).astype(np.float32)
        lut[0] = -np.inf
        return lut

    def drop(self, ii: I64, jj: I64, reserve: bool = False) -> None:
        """Pairs that joined the candidate set (or are locked) are no longer left out;
        with ``reserve``, they are also taken out of the reserve."""
        if len(ii):
            self.q[ii, jj] = 0
            if reserve and len(self.res_i):
                m = self.q.shape[1]
                gone = np.isin(self.res_i * m + self.res_j, ii * m + jj)
                self.alive &= ~gone


# Bound caches up to this many bytes (two bytes a pair, else one; larger problems re-score).
# One byte a pair bounds to 1/254 of the score scale, which prices as well in practice.
CACHE_BYTES = 600_000_000


def new_cache(n: int, m: int) -> BoundCache | None:
    for dtype in (np.uint16, np.uint8):
        size = np.dtype(dtype).itemsize
        if n * m * size <= CACHE_BYTES:
            top = int(np.iinfo(dtype).max)
            step = -(-SCORE_SCALE // (top - 1))  # s // step + 1 <= top for s <= SCORE_SCALE
            return BoundCache(np.zeros((n, m), dtype=dtype), step)
    return None


@dataclass
class Candidates:
    ii: I64
    jj: I64
    ss: I64
    threshold: I64  # per mentee: smallest kept key (score*m + tiebreak); -1 if all kept
    stage_counts: NDArray[np.int32]
    cache: BoundCache | None = None  # bounds of the left-out pairs (first weighting only)


def keys(s_int: I64, m: int) -> I64:
    """Unique sort keys: higher score first, then lower mentor index."""
    return s_int * m + (m - 1 - np.arange(m, dtype=np.int64))[None, :]


def top_k(
    prep: Prepared,
    k: int,
    progress: Callable[[float], None] | None = None,
    variants: Sequence[dict[str, float]] | None = None,
    cache: bool = False,
    reserve: int | None = None,
) -> list[Candidates]:
    """The k best allowed mentors per mentee, for each weighting in ``variants``.

    With ``cache``, the first weighting's candidates also carry a :class:`BoundCache`, with
    each mentee's next ``reserve`` best pairs (default 2k) kept exactly.
    """
    n, m = prep.n, prep.m
    vs = list(variants) if variants is not None else [prep.weights]
    acc: list[tuple[list[I64], list[I64], list[I64]]] = [([], [], []) for _ in vs]
    thr = [np.full(n, -1, dtype=np.int64) for _ in vs]
    counts = [np.zeros((n, len(STAGES)), dtype=np.int32) for _ in vs]
    bc = new_cache(n, m) if cache else None
    kr = min(m, k + (2 * k if reserve is None else reserve)) if bc is not None else k
    res: list[tuple[I64, I64, I64]] = []

    def one(rows: I64) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        for v, b in enumerate(iter_block_variants(prep, rows, vs)):
            kk = np.where(b.allowed, keys(b.s_int, m), -1)
            t = np.full(len(rows), -1, dtype=np.int64)
            rest: I64 | None = None
            if m > k:
                if v == 0 and kr > k:
                    # the top k + reserve, then the top k among them
                    big = np.argpartition(-kk, kr - 1, axis=1)[:, :kr] if m > kr else None
                    if big is None:
                        big = np.broadcast_to(np.arange(m), kk.shape)
                    kb = np.take_along_axis(kk, big, axis=1)
                    o = np.argpartition(-kb, k - 1, axis=1)
                    cols = np.take_along_axis(big, o[:, :k], axis=1)
                    rest = np.take_along_axis(big, o[:, k:], axis=1)
                else:
                    cols = np.argpartition(-kk, k - 1, axis=1)[:, :k]
                sel = np.take_along_axis(kk, cols, axis=1)
                n_allowed = b.allowed.sum(axis=1)
                t = np.where(n_allowed > k, sel.min(axis=1), -1)
            else:
                cols = np.broadcast_to(np.arange(m), kk.shape)
                sel = kk
            good = sel >= 0
            r_idx = np.broadcast_to(np.arange(len(rows))[:, None], cols.shape)
            ri, cj = r_idx[good], cols[good]
            if v == 0 and bc is not None:
                top = int(np.iinfo(bc.q.dtype).max)
                lv = np.where(b.allowed, np.minimum(b.s_int // bc.step + 1, top), 0)
                lv = lv.astype(bc.q.dtype)
                lv[ri, cj] = 0
                if rest is not None:
                    rr = np.broadcast_to(np.arange(len(rows))[:, None], rest.shape)
                    ok = np.take_along_axis(kk, rest, axis=1) >= 0
                    rri, rcj = rr[ok], rest[ok]
                    lv[rri, rcj] = 0
                    r_out = (rows[rri], rcj.astype(np.int64), b.s_int[rri, rcj])
                else:
                    r_out = (np.zeros(0, np.int64),) * 3
                bc.q[rows] = lv  # rows of different chunks never overlap
                out.append((rows[ri], cj, b.s_int[ri, cj], t, b.stage_counts, r_out))
            else:
                out.append((rows[ri], cj, b.s_int[ri, cj], t, b.stage_counts, None))
        return out

    done = 0
    all_chunks = list(chunks(prep))
    for rows, got in zip(all_chunks, pmap(one, all_chunks), strict=True):
        for v, (ii, jj, ss, t, c, rsv) in enumerate(got):
            if rsv is not None:
                res.append(rsv)
            counts[v][rows] = c
            thr[v][rows] = t
            acc[v][0].append(ii)
            acc[v][1].append(jj)
            acc[v][2].append(ss)
        done += len(rows)
        if progress:
            progress(done / max(n, 1))

    def cat(xs: list[I64]) -> I64:
        return np.concatenate(xs).astype(np.int64) if xs else np.zeros(0, dtype=np.int64)

    if bc is not None:
        bc.res_i = cat([r[0] for r in res])
        bc.res_j = cat([r[1] for r in res])
        bc.res_s = cat([r[2] for r in res])
        bc.alive = np.ones(len(bc.res_i), dtype=np.bool_)

    return [
        Candidates(cat(a[0]), cat(a[1]), cat(a[2]), thr[v], counts[v], bc if v == 0 else None)
        for v, a in enumerate(acc)
    ]


def pair_factors(prep: Prepared, ii: I64, jj: I64) -> dict[str, F32]:
    """Factor values for explicit pairs (for explanations and recommendations)."""
    out: dict[str, F32] = {}
    if prep.given is not None:
        return out
    st = prep.problem.settings
    for name in sorted(prep.weights):
        if name == "skills":
            assert prep.skill_want is not None and prep.skill_offer is not None
            assert prep.skill_near is not None and prep.want_n is not None
            w = prep.skill_want[ii]
            exact = np.asarray(w.multiply(prep.skill_offer[jj]).sum(axis=1)).ravel()
            near = np.asarray(w.multiply(prep.skill_near[jj]).sum(axis=1)).ravel()
            out[name] = (
                (exact + st.related_skill_credit * (near - exact)) / np.maximum(prep.want_n[ii], 1)
            ).astype(np.float32)
        elif name in ("goals", "bio"):
            ve, vm = prep.emb[name]
            out[name] = np.clip((ve[ii] * vm[jj]).sum(axis=1), 0, 1).astype(np.float32)
        elif name == "availability":
            out[name] = np.minimum(
                pair_overlap(prep, ii, jj) / np.float32(st.availability_target_minutes), 1.0
            ).astype(np.float32)
        elif name == "seniority":
            assert prep.sen_e is not None and prep.sen_m is not None
            gap = (prep.sen_m[jj] - prep.sen_e[ii]) / np.float32(st.seniority_margin_years)
            out[name] = np.nan_to_num(np.clip(gap, 0, 1), nan=0.0).astype(np.float32)
        else:
            vals = np.zeros(len(ii), dtype=np.float32)
            for a in range(len(ii)):
                vals[a] = factor_block(prep, ii[a : a + 1], name)[0, jj[a]]
            out[name] = vals
    return out


def pair_overlap(prep: Prepared, ii: I64, jj: I64) -> F32:
    ov: F32 | None = None
    for g in prep.grids:
        x = ((g.mentees[ii] * g.mentors[jj]) * g.lengths[None, :]).sum(axis=1)
        ov = x if ov is None else np.minimum(ov, x)
    return ov if ov is not None else np.zeros(len(ii), dtype=np.float32)
