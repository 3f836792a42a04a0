"""Reading a circles-mode problem (docs/matching-format.md, *Circles mode*).

Group mentoring circles are the "mentors" side of an ordinary bipartite problem: each
circle has a capacity (the mentee seats left in it) and the profile it is scored on (its
topic as ``skills``, its description as ``goals``, its mentors' languages, zone and
hours), and each mentee joins at most one circle. The circle lists the people who lead it
(``mentors``) so that nobody is placed in a circle they lead, nor, with
``forbid_reporting_line``, in one led by their own manager. The result is a
:class:`Problem` with ``mode="circles"`` that the bipartite optimiser solves exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .model import Person, Problem, Settings

MAX_CIRCLE_MENTORS = 2


def load_circles(r: Any, d: Mapping[str, Any], settings: Settings) -> Problem:
    """Validates the circles-mode keys of ``d`` (``r`` is io's reader, which collects
    every error with its path) and returns the problem, or raises ProblemError."""
    from .io import ProblemError, _pairs, _person

    for name in ("mentors", "peers"):
        if name in d:
            r.err(name, "not used in circles mode: list the circles in circles")
    if "mentors_per_mentee" in (d.get("settings") or {}):
        r.err("settings.mentors_per_mentee", "not used in circles mode: a mentee joins one circle")
    mentees: list[Person] = []
    if "mentees" not in d:
        r.err("mentees", "is required")
    else:
        seen: dict[str, int] = {}
        for i, pv in enumerate(r.array(d["mentees"], "mentees")):
            path = f"mentees[{i}]"
            if isinstance(pv, dict) and "wants" in pv:
                r.err(f"{path}.wants", "not used in circles mode: a mentee joins one circle")
                pv = {k: v for k, v in pv.items() if k != "wants"}
            p = _person(r, pv, path, mentor=False)
            if p is None:
                continue
            if p.id in seen:
                r.err(f"{path}.id", f"duplicate id {p.id!r} (also mentees[{seen[p.id]}])")
                continue
            seen[p.id] = i
            mentees.append(p)
    circles: list[Person] = []
    leaders: dict[str, tuple[str, ...]] = {}
    if "circles" not in d:
        r.err("circles", "is required in circles mode")
    else:
        seen_c: dict[str, int] = {}
        for i, cv in enumerate(r.array(d["circles"], "circles")):
            path = f"circles[{i}]"
            led: tuple[str, ...] = ()
            if isinstance(cv, dict):
                led = r.strings(cv.get("mentors"), f"{path}.mentors")
                if not 1 <= len(led) <= MAX_CIRCLE_MENTORS or len(set(led)) != len(led):
                    r.err(f"{path}.mentors", "must list one or two different mentor ids")
                cv = {k: v for k, v in cv.items() if k != "mentors"}
                if "manager_id" in cv:
                    r.err(f"{path}.manager_id", "circles have mentors, not a manager")
            c = _person(r, cv, path, mentor=True)
            if c is None:
                continue
            if c.id in seen_c:
                r.err(f"{path}.id", f"duplicate id {c.id!r} (also circles[{seen_c[c.id]}])")
                continue
            seen_c[c.id] = i
            circles.append(c)
            leaders[c.id] = led
    e_ids = {p.id for p in mentees}
    c_ids = {c.id for c in circles}
    known = e_ids | {x for led in leaders.values() for x in led}
    for i, p in enumerate(mentees):
        if p.manager_id is not None and p.manager_id not in known:
            r.err(f"mentees[{i}].manager_id", f"{p.manager_id!r} is not a mentee or a mentor")

    def check(pairs: list[tuple[Any, ...]], name: str) -> list[tuple[Any, ...]]:
        good = []
        seen_pairs: set[tuple[str, str]] = set()
        for i, p in enumerate(pairs):
            ok = True
            if p[0] not in e_ids:
                r.err(f"{name}[{i}]", f"mentee {p[0]!r} is not in mentees")
                ok = False
            if p[1] not in c_ids:
                r.err(f"{name}[{i}]", f"circle {p[1]!r} is not in circles")
                ok = False
            if ok and (p[0], p[1]) in seen_pairs:
                r.err(f"{name}[{i}]", f"duplicate pair {p[0]!r}, {p[1]!r}")
                ok = False
            if ok:
                seen_pairs.add((p[0], p[1]))
                good.append(p)
        return good

    def shape(name: str, n: int) -> list[tuple[Any, ...]]:
        before = len(r.errors)
        got = _pairs(r, d.get(name, []), name, n)
        r.errors[before:] = [e.replace(", mentor", ", circle") for e in r.errors[before:]]
        return got

    locked = check(shape("locked_pairs", 2), "locked_pairs")
    forbidden = check(shape("forbidden_pairs", 2), "forbidden_pairs")
    scores = None
    if d.get("scores") is not None:
        scores = check(shape("scores", 3), "scores")
    # Nobody in a circle they lead; with the reporting-line rule, nobody in one their
    # manager leads. These are hard rules, so they join the forbidden pairs.
    manager = {p.id: p.manager_id for p in mentees}
    implied: list[tuple[str, str]] = []
    for c in circles:
        for e in sorted(e_ids):
            if e in leaders[c.id] or (
                settings.rules.forbid_reporting_line and manager[e] in leaders[c.id]
            ):
                implied.append((e, c.id))
    fset = {(a, b) for a, b in forbidden}
    cap = {c.id: c.capacity for c in circles}
    used_c: dict[str, int] = {}
    in_circle: dict[str, str] = {}
    for i, (a, b) in enumerate(locked):
        if (a, b) in fset:
            r.err(f"locked_pairs[{i}]", f"pair {a!r}, {b!r} is also in forbidden_pairs")
        if a in leaders[b]:
            r.err(f"locked_pairs[{i}]", f"{a!r} leads circle {b!r} and cannot also join it")
        if a in in_circle:
            r.err(f"locked_pairs[{i}]", f"mentee {a!r} is already locked to {in_circle[a]!r}")
        in_circle.setdefault(a, b)
        used_c[b] = used_c.get(b, 0) + 1
        if used_c[b] == cap[b] + 1:
            r.err(f"locked_pairs[{i}]", f"circle {b!r} is locked to more mentees than its capacity")
    if r.errors:
        raise ProblemError(r.errors)
    locked_set = {(str(a), str(b)) for a, b in locked}
    extra = [p for p in implied if p not in fset and p not in locked_set]
    return Problem(
        mentees=tuple(mentees),
        mentors=tuple(circles),
        settings=replace(settings, mentors_per_mentee=1),
        locked_pairs=tuple((str(a), str(b)) for a, b in locked),
        forbidden_pairs=tuple((str(a), str(b)) for a, b in forbidden) + tuple(extra),
        scores=None if scores is None else tuple((str(a), str(b), float(s)) for a, b, s in scores),
        mode="circles",
    )
