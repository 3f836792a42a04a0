"""Serialising results deterministically (the JSON of docs/matching-format.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .model import AttributeAudit, Recommendation, Result


def _r(x: float) -> float:
    v = round(x, 6)
    return 0.0 if v == 0 else v


def _audit(a: AttributeAudit) -> dict[str, Any]:
    groups: dict[str, Any] = {}
    for g, s in a.groups:
        if s.suppressed:
            groups[g] = {"suppressed": True}
        else:
            groups[g] = {
                "mentees": s.mentees,
                "matched_rate": None if s.matched_rate is None else _r(s.matched_rate),
                "mean_score": None if s.mean_score is None else _r(s.mean_score),
            }
    out: dict[str, Any] = {
        "groups": groups,
        "disparate_impact": None if a.disparate_impact is None else _r(a.disparate_impact),
    }
    if a.driver is not None:
        out["driver"] = {
            "factor": a.driver,
            "disparate_impact_without": None
            if a.disparate_impact_without_driver is None
            else _r(a.disparate_impact_without_driver),
        }
    return out


def result_to_dict(result: Result, *, timings: bool = True) -> dict[str, Any]:
    """The result as plain JSON data, floats rounded to 6 decimals, deterministic order."""
    o = result.objective
    out: dict[str, Any] = {
        "version": 1,
        "matches": [
            {
                "mentee": m.mentee,
                "mentor": m.mentor,
                "score": _r(m.score),
                **({"locked": True} if m.locked else {}),
                "reasons": [
                    {"factor": x.factor, "contribution": _r(x.contribution), "detail": x.detail}
                    for x in m.reasons
                ],
            }
            for m in result.matches
        ],
        "unmatched": [
            {"mentee": u.mentee, "missing": u.missing, "reason": u.reason} for u in result.unmatched
        ],
        "objective": {
            "mentees_matched": o.mentees_matched,
            "matched_pairs": o.matched_pairs,
            "total_score": _r(o.total_score),
            "upper_bound": _r(o.upper_bound),
            "pricing_rounds": o.pricing_rounds,
            "candidates": o.candidates,
        },
        "fairness": {k: _audit(a) for k, a in result.fairness},
    }
    if timings:
        out["timings"] = {k: round(v, 3) for k, v in result.timings}
    if result.candidates is not None:
        out["candidates"] = [[a, b, _r(s)] for a, b, s in result.candidates]
    return out


def dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False, allow_nan=False) + "\n"


def recommendations_to_dict(
    role: str, person_id: str, recs: Sequence[Recommendation]
) -> dict[str, Any]:
    other = "mentor" if role == "mentee" else "mentee"
    return {
        "version": 1,
        role: person_id,
        "recommendations": [
            {
                other: x.id,
                "score": _r(x.score),
                "capacity_left": x.capacity_left,
                "reasons": [
                    {"factor": y.factor, "contribution": _r(y.contribution), "detail": y.detail}
                    for y in x.reasons
                ],
            }
            for x in recs
        ],
    }
