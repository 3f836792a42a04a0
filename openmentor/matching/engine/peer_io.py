"""Reading a peer-mode problem (docs/matching-format.md, *Peer mode*).

Everyone is listed once, in ``peers``; pairs (locked, forbidden, scored) are unordered.
The result is a :class:`Problem` with ``mode="peer"`` whose ``mentees`` and ``mentors`` are
the same peers in the same order (the mentors carrying the skills each peer offers), so
that scoring and explanations read a peer pair in both directions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .model import Person, Problem, Settings

MODES = ("mentoring", "peer", "circles")


def load_peers(r: Any, d: Mapping[str, Any], settings: Settings) -> Problem:
    """Validates the peer-mode keys of ``d`` (``r`` is io's reader, which collects every
    error with its path) and returns the problem, or raises ProblemError."""
    from .io import ProblemError, _pairs, _person

    if d.get("mode") not in MODES:
        r.err("mode", f"must be one of {', '.join(MODES)}")
        raise ProblemError(r.errors)
    for name in ("mentees", "mentors", "circles"):
        if name in d:
            r.err(name, "not used in peer mode: list everyone once in peers")
    if "mentors_per_mentee" in (d.get("settings") or {}):
        r.err("settings.mentors_per_mentee", "not used in peer mode: give each peer a capacity")
    peers: list[Person] = []
    if "peers" not in d:
        r.err("peers", "is required in peer mode")
    else:
        seen: dict[str, int] = {}
        for i, pv in enumerate(r.array(d["peers"], "peers")):
            path = f"peers[{i}]"
            if isinstance(pv, dict) and "wants" in pv:
                r.err(f"{path}.wants", "peers have a capacity (most peers), not wants")
                pv = {k: v for k, v in pv.items() if k != "wants"}
            p = _person(r, pv, path, mentor=True, peer=True)
            if p is None:
                continue
            if p.id in seen:
                r.err(f"{path}.id", f"duplicate id {p.id!r} (also peers[{seen[p.id]}])")
                continue
            seen[p.id] = i
            peers.append(p)
    ids = {p.id for p in peers}
    for i, p in enumerate(peers):
        if p.manager_id is not None and p.manager_id not in ids:
            r.err(f"peers[{i}].manager_id", f"{p.manager_id!r} is not in peers")

    def check(pairs: list[tuple[Any, ...]], name: str) -> list[tuple[Any, ...]]:
        good = []
        seen_pairs: set[frozenset[str]] = set()
        for i, p in enumerate(pairs):
            bad = [x for x in p[:2] if x not in ids]
            for x in bad:
                r.err(f"{name}[{i}]", f"peer {x!r} is not in peers")
            if bad:
                continue
            if p[0] == p[1]:
                r.err(f"{name}[{i}]", f"{p[0]!r} cannot be paired with themselves")
                continue
            key = frozenset(p[:2])
            if key in seen_pairs:
                r.err(f"{name}[{i}]", f"duplicate pair {p[0]!r}, {p[1]!r} (pairs are unordered)")
                continue
            seen_pairs.add(key)
            good.append(p)
        return good

    def shape(name: str, n: int) -> list[tuple[Any, ...]]:
        # io's messages say [mentee, mentor]; in peer mode a pair is two peers
        before = len(r.errors)
        got = _pairs(r, d.get(name, []), name, n)
        r.errors[before:] = [e.replace("[mentee, mentor", "[peer, peer") for e in r.errors[before:]]
        return got

    locked = check(shape("locked_pairs", 2), "locked_pairs")
    forbidden = check(shape("forbidden_pairs", 2), "forbidden_pairs")
    scores = None
    if d.get("scores") is not None:
        scores = check(shape("scores", 3), "scores")
    fset = {frozenset(p) for p in forbidden}
    cap = {p.id: p.capacity for p in peers}
    used: Counter[str] = Counter()
    for i, (a, b) in enumerate(locked):
        if frozenset((a, b)) in fset:
            r.err(f"locked_pairs[{i}]", f"pair {a!r}, {b!r} is also in forbidden_pairs")
        for x in (a, b):
            used[x] += 1
            if used[x] == cap[x] + 1:
                r.err(
                    f"locked_pairs[{i}]",
                    f"peer {x!r} is locked to more peers than their capacity {cap[x]}",
                )
    if r.errors:
        raise ProblemError(r.errors)
    as_mentors = tuple(
        replace(p, skills=p.offers if p.offers is not None else p.skills) for p in peers
    )
    return Problem(
        mentees=tuple(peers),
        mentors=as_mentors,
        settings=settings,
        locked_pairs=tuple((str(a), str(b)) for a, b in locked),
        forbidden_pairs=tuple((str(a), str(b)) for a, b in forbidden),
        scores=None if scores is None else tuple((str(a), str(b), float(s)) for a, b, s in scores),
        mode="peer",
    )
