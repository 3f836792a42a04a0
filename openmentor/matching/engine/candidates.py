"""The candidate pairs: each mentee's top K by score, the bound cache of the pairs left
out (so pricing re-scores only where a left-out pair could still improve the result),
and the row chunks scoring works through."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .model import SCORE_SCALE
from .parallel import pmap
from .scoring import I64, STAGES, BoolA, Prepared, iter_block_variants


def chunks(prep: Prepared, rows: I64 | None = None, cells: int | None = None) -> Iterator[I64]:
    """Row blocks of about ``cells`` pairs (default: 4 million shared among the threads)."""
    all_rows = np.arange(prep.n, dtype=np.int64) if rows is None else rows
    if cells is None:
        cells = 4_000_000 // prep.threads
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
    for rows, got in zip(all_chunks, pmap(one, all_chunks, prep.threads), strict=True):
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
