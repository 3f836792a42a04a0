"""The fairness audit: matched rates per protected group and the disparate-impact ratio.

Protected attributes are read here only, after matching. Blindness does not prevent
proxies, so when an attribute's ratio falls under the four-fifths threshold the audit
re-solves with each factor's weight set to zero and names the factor whose removal
raises the ratio most.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from .model import AttributeAudit, GroupStats, Problem

FOUR_FIFTHS = 0.8


def audit_attribute(problem: Problem, attr: str, matched: dict[str, list[float]]) -> AttributeAudit:
    groups: dict[str, list[str]] = defaultdict(list)
    for p in problem.mentees:
        v = dict(p.protected).get(attr)
        if v is not None:
            groups[v].append(p.id)
    stats = []
    rates = []
    for g in sorted(groups):
        ids = groups[g]
        if len(ids) < problem.settings.fairness_min_group:
            stats.append((g, GroupStats(len(ids), None, None, suppressed=True)))
            continue
        got = [matched[x] for x in ids if matched.get(x)]
        rate = len(got) / len(ids)
        mean = sum(sum(s) / len(s) for s in got) / len(got) if got else None
        rates.append(rate)
        stats.append((g, GroupStats(len(ids), rate, mean)))
    di = di_of(rates)
    return AttributeAudit(tuple(stats), di)


def di_of(rates: Sequence[float]) -> float | None:
    if len(rates) < 2 or max(rates) <= 0:
        return None
    return min(rates) / max(rates)


def attributes(problem: Problem) -> list[str]:
    return sorted({k for p in problem.mentees for k, _ in p.protected})


def audit(
    problem: Problem,
    matched: dict[str, list[float]],
    resolve_without: Callable[[str], dict[str, list[float]]],
    factors: Sequence[str],
) -> list[tuple[str, AttributeAudit]]:
    out = [(a, audit_attribute(problem, a, matched)) for a in attributes(problem)]
    flagged = [
        a for a, x in out if x.disparate_impact is not None and x.disparate_impact < FOUR_FIFTHS
    ]
    if not flagged or len(factors) < 2:
        return out
    without: dict[str, dict[str, float | None]] = {}
    for f in factors:
        alt = resolve_without(f)
        without[f] = {a: audit_attribute(problem, a, alt).disparate_impact for a in flagged}
    final = []
    for a, x in out:
        if a in flagged:
            assert x.disparate_impact is not None
            best, best_di = None, x.disparate_impact
            for f in factors:
                d = without[f][a]
                if d is not None and d > best_di + 1e-9:
                    best, best_di = f, d
            if best is not None:
                x = AttributeAudit(x.groups, x.disparate_impact, best, best_di)
        final.append((a, x))
    return final
