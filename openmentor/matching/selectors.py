"""Reads of manager-run matching, always through a programme already scoped to the
organisation (views get it from `programme_for_manager`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils.safestring import SafeString

from openmentor.accounts.models import User
from openmentor.core.charts import Bar, bar_chart
from openmentor.matching.constants import COHORT, REMATCH
from openmentor.matching.explain import unmatched_line, why_lines
from openmentor.matching.models import MatchingPin, MatchingRun
from openmentor.matching.problem import user_id_of
from openmentor.mentorships.models import Mentorship
from openmentor.programmes.models import Programme

FOUR_FIFTHS = 0.8
FACTOR_NAMES = {
    "skills": "skills",
    "goals": "goals",
    "bio": "bios",
    "availability": "free time",
    "seniority": "seniority",
}


def run_for_manager(*, programme: Programme, run_id: int) -> MatchingRun:
    """A run of this programme (the programme is the organisation's); anything else 404."""
    run = (
        MatchingRun.objects.filter(programme=programme, pk=run_id)
        .select_related("programme__organisation", "started_by", "published_by")
        .first()
    )
    if run is None:
        raise Http404("No such matching run")
    return run


def latest_run(*, programme: Programme, kind: str = COHORT) -> MatchingRun | None:
    for run in MatchingRun.objects.filter(programme=programme).select_related(
        "started_by", "published_by"
    )[:20]:
        if run_kind(run) == kind:
            return run
    return None


def _question_labels(programme: Programme) -> dict[str, str]:
    return {
        f"q{pk}": text
        for pk, text in programme.questions.filter(feeds_matching=True).values_list("pk", "text")
    }


@dataclass
class ProposalPair:
    mentee: str
    mentor: str
    mentee_name: str
    mentor_name: str
    score: float
    why: list[str]
    pin: str = ""  # "lock", "forbid" or ""
    swapped: bool = False


@dataclass
class FairnessGroup:
    name: str
    suppressed: bool
    mentees: str | None = None  # a band such as "10–19", never an exact count
    matched_rate: float | None = None  # rounded to 5 %
    mean_score: float | None = None  # rounded to 5 %


def _coarse(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 20) / 20


@dataclass
class FairnessAttribute:
    name: str
    groups: list[FairnessGroup]
    disparate_impact: float | None
    flagged: bool
    driver: str = ""
    without_driver: float | None = None
    chart: str = ""


@dataclass
class Proposal:
    pairs: list[ProposalPair] = field(default_factory=list)
    unmatched: list[tuple[str, str, str]] = field(default_factory=list)  # id, name, reason
    mentees: int = 0
    matched_mentees: int = 0
    matched_percent: float | None = None
    mean_score: float | None = None
    closeness: float | None = None  # total score / upper bound, in %
    certified: bool = False
    fairness: list[FairnessAttribute] = field(default_factory=list)
    timings_s: float | None = None
    score_chart: str = ""


def _score_chart(scores: list[float]) -> SafeString:
    """How the proposed pairs' scores spread over the outcome report's bands."""
    counts = [0] * len(BANDS)
    for score in scores:
        for i, (_, low, high) in enumerate(BANDS):
            if low <= score < high:
                counts[i] += 1
                break
    total = len(scores)
    return bar_chart(
        [
            Bar(
                label=label,
                value=n / total if total else None,
                text=f"{n} pair{'s' if n != 1 else ''}",
            )
            for (label, _, _), n in zip(BANDS, counts, strict=True)
        ],
        title="Match scores of the proposed pairs",
    )


def proposal_for(*, run: MatchingRun) -> Proposal:
    """The run's result as the page shows it: names, plain-words reasons, totals, audit.

    Three queries whatever the size: names, pins and question labels.
    """
    result = run.result or {}
    matches = result.get("matches") or []
    unmatched = result.get("unmatched") or []
    ids = {user_id_of(m["mentee"]) for m in matches} | {user_id_of(m["mentor"]) for m in matches}
    ids |= {user_id_of(u["mentee"]) for u in unmatched}
    names = {u.pk: u.name for u in User.objects.filter(pk__in=ids)}
    pins = {
        (f"u{mentee}", f"u{mentor}"): kind
        for mentee, mentor, kind in MatchingPin.objects.filter(
            programme_id=run.programme_id
        ).values_list("mentee_id", "mentor_id", "kind")
    }
    labels = _question_labels(run.programme)

    def name(eid: str) -> str:
        return names.get(user_id_of(eid), "(no longer a member)")

    proposal = Proposal()
    for m in matches:
        proposal.pairs.append(
            ProposalPair(
                mentee=m["mentee"],
                mentor=m["mentor"],
                mentee_name=name(m["mentee"]),
                mentor_name=name(m["mentor"]),
                score=m["score"],
                why=why_lines(m.get("reasons"), question_labels=labels, viewer_role="manager"),
                pin=pins.get((m["mentee"], m["mentor"]), "lock" if m.get("locked") else ""),
                swapped=bool(m.get("swapped")),
            )
        )
    proposal.unmatched = [
        (u["mentee"], name(u["mentee"]), unmatched_line(str(u.get("reason", ""))))
        for u in unmatched
    ]
    matched_ids = {m["mentee"] for m in matches}
    all_mentees = matched_ids | {u["mentee"] for u in unmatched}
    proposal.mentees = len(all_mentees)
    proposal.matched_mentees = len(matched_ids)
    if proposal.mentees:
        proposal.matched_percent = 100.0 * len(matched_ids) / proposal.mentees
    if matches:
        proposal.mean_score = 100.0 * sum(m["score"] for m in matches) / len(matches)
    objective = result.get("objective") or {}
    total, bound = objective.get("total_score"), objective.get("upper_bound")
    if total is not None and bound:
        proposal.closeness = min(100.0, 100.0 * total / bound)
        proposal.certified = total >= bound
    elif total is not None and matches:
        proposal.closeness, proposal.certified = 100.0, True
    if matches:
        proposal.score_chart = _score_chart([float(m["score"]) for m in matches])
    timings = result.get("timings") or {}
    proposal.timings_s = timings.get("total_s")
    from openmentor.people.selectors import size_range
    from openmentor.people.services import SELF_IDENTIFICATION_CHOICES

    for attribute, audit in sorted((result.get("fairness") or {}).items()):
        choices = SELF_IDENTIFICATION_CHOICES.get(attribute, [])
        labels = dict(choices)
        # In the form's own order ("Under 25" before "25 to 34"), not alphabetically.
        order = {code: i for i, (code, _) in enumerate(choices)}
        groups = []
        for group, stats in sorted(
            (audit.get("groups") or {}).items(),
            key=lambda kv: (order.get(kv[0], len(order)), kv[0]),
        ):
            groups.append(
                FairnessGroup(
                    name=labels.get(group, group),
                    suppressed=bool(stats.get("suppressed")),
                    mentees=None
                    if stats.get("mentees") is None
                    else size_range(int(stats["mentees"]))[0],
                    matched_rate=_coarse(stats.get("matched_rate")),
                    mean_score=_coarse(stats.get("mean_score")),
                )
            )
        impact = audit.get("disparate_impact")
        driver = audit.get("driver") or {}
        item = FairnessAttribute(
            name=attribute.replace("_", " "),
            groups=groups,
            disparate_impact=impact,
            flagged=impact is not None and impact < FOUR_FIFTHS,
            driver=FACTOR_NAMES.get(str(driver.get("factor", "")), str(driver.get("factor", ""))),
            without_driver=driver.get("disparate_impact_without"),
        )
        item.chart = bar_chart(
            [
                Bar(
                    label=g.name,
                    value=None if g.suppressed else g.matched_rate,
                    text="suppressed (fewer than 5)" if g.suppressed else "",
                    tone="flag" if item.flagged else "",
                )
                for g in groups
            ],
            title=f"Matched rate by {item.name}",
        )
        proposal.fairness.append(item)
    return proposal


def run_kind(run: MatchingRun) -> str:
    return str((run.snapshot or {}).get("kind") or COHORT)


def run_is_rematch(run: MatchingRun) -> bool:
    return run_kind(run) == REMATCH


# --- outcomes -----------------------------------------------------------------------------

BANDS: list[tuple[str, float, float]] = [
    ("under 40 %", 0.0, 0.4),
    ("40–60 %", 0.4, 0.6),
    ("60–80 %", 0.6, 0.8),
    ("80 % and over", 0.8, 1.01),
]
EARLY_DAYS = 90


def mentorship_why(*, mentorship: Mentorship, viewer: User | None = None) -> list[str]:
    """ "Why this match" for a mentorship, worded for the person looking at it."""
    role = None
    if viewer is not None:
        role = "mentee" if viewer.pk == mentorship.mentee_id else "mentor"
        if viewer.pk not in (mentorship.mentee_id, mentorship.mentor_id):
            role = None
    return why_lines(mentorship.match_reasons, viewer_role=role)


def rematch_waiting(*, programme: Programme) -> int:
    from openmentor.mentorships.models import RematchRequest

    return RematchRequest.objects.filter(
        programme=programme, status=RematchRequest.Status.OPEN, role="mentee"
    ).count()


def runs_recent(*, programme: Programme, limit: int = 10) -> list[MatchingRun]:
    return list(
        MatchingRun.objects.filter(programme=programme).select_related(
            "started_by", "published_by"
        )[:limit]
    )


def pair_lookup(run: MatchingRun) -> dict[str, Any]:
    return {m["mentee"]: m for m in (run.result or {}).get("matches") or []}
