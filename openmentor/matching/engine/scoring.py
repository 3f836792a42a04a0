"""Vectorised factor matrices, hard-rule masks and top-K candidates.

Protected attributes are never read here: ``prepare`` copies only the scoring fields of
each person into arrays, so nothing downstream can see them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from . import availability as av
from .embedding import Embedder
from .model import SCORE_SCALE, Person, Problem, Question
from .parallel import default_threads

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
    "seniority",
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
    # Threads for chunked scoring, chosen by the engine's caller (see parallel.py).
    threads: int = 1
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
    threads: int | None = None,
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
    prep = Prepared(
        problem, n, m, e_ids, m_ids, weights, min_int, threads=threads or default_threads()
    )

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
        if st.seniority_direction == "mentee_ahead":
            gap = -gap
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
        counts[:, :5] = ok.sum(axis=1)[:, None]
        ok &= ~_rows_of(prep.reporting, rows)
        counts[:, 5] = ok.sum(axis=1)
        ok &= ~_rows_of(prep.forbidden, rows)
        counts[:, 6] = ok.sum(axis=1)
        ok &= s_int >= prep.min_int
        counts[:, 7] = ok.sum(axis=1)
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
    if rules.mentor_less_senior:  # reverse mentoring; unknown seniority fails
        assert prep.sen_e is not None and prep.sen_m is not None
        ok &= prep.sen_m[None, :] < prep.sen_e[rows][:, None]
    counts[:, 4] = ok.sum(axis=1)
    assert prep.reporting is not None and prep.forbidden is not None
    ok &= ~_rows_of(prep.reporting, rows)
    counts[:, 5] = ok.sum(axis=1)
    ok &= ~_rows_of(prep.forbidden, rows)
    counts[:, 6] = ok.sum(axis=1)

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
        cv[:, -1] = okv.sum(axis=1)
        yield Block(rows, s_int, okv, cv)


def _one_less(a: dict[str, float], b: dict[str, float]) -> str | None:
    """The factor ``b`` lacks if ``b`` is ``a`` with exactly one factor removed."""
    extra = set(a) - set(b)
    if len(extra) == 1 and len(a) == len(b) + 1 and all(a[k] == v for k, v in b.items()):
        return extra.pop()
    return None


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
            if st.seniority_direction == "mentee_ahead":
                gap = -gap
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
