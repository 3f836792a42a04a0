"""Reads of manager-run matching, always through a programme already scoped to the
organisation (views get it from `programme_for_manager`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.safestring import SafeString

from openmentor.accounts.models import User
from openmentor.core.charts import Bar, bar_chart
from openmentor.matching.constants import COHORT, REMATCH
from openmentor.matching.engine import (
    EmbeddingUnavailable,
    ProblemError,
    load_problem,
    recommend,
    recommendations_to_dict,
    result_to_dict,
    solve,
)
from openmentor.matching.explain import engine_error_text, unmatched_line, why_lines
from openmentor.matching.models import MatchingPin, MatchingRun
from openmentor.matching.problem import BuiltProblem, build_problem, engine_options, user_id_of
from openmentor.mentorships.models import Mentorship
from openmentor.programmes.models import Programme
from openmentor.programmes.roles import explain_words, is_peer, role_words

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
    words = explain_words(run.programme)

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
                why=why_lines(
                    m.get("reasons"),
                    question_labels=labels,
                    viewer_role="manager",
                    words=words,
                ),
                pin=pins.get((m["mentee"], m["mentor"]), "lock" if m.get("locked") else ""),
                swapped=bool(m.get("swapped")),
            )
        )
    proposal.unmatched = [
        (u["mentee"], name(u["mentee"]), unmatched_line(str(u.get("reason", ""))))
        for u in unmatched
    ]
    matched_ids = {m["mentee"] for m in matches}
    if is_peer(run.programme):  # both sides of a peer pair are matched peers
        matched_ids |= {m["mentor"] for m in matches}
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
    return why_lines(
        mentorship.match_reasons, viewer_role=role, words=explain_words(mentorship.programme)
    )


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


# --- reads of a proposal that ask the engine ---------------------------------------------


@dataclass
class Staleness:
    """What changed since the run, in plain words; empty when the proposal still holds."""

    changes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)


def proposal_staleness(*, run: MatchingRun) -> Staleness:
    """Rebuilds what the engine would see now and compares it with what the run saw."""
    requests = (run.snapshot or {}).get("rematch_requests") or {}
    now = build_problem(
        programme=run.programme,
        mentee_user_ids={int(k) for k in requests} if run_kind(run) == REMATCH else None,
        include_locks=False,
    )
    before = run.snapshot or {}
    if "peers" in before:
        return _peer_staleness(run, before["peers"], now.snapshot.get("peers") or {})
    old_mentees: dict[str, int] = before.get("mentees") or {}
    old_mentors: dict[str, int] = before.get("mentors") or {}
    new_mentees: dict[str, int] = now.snapshot["mentees"]
    new_mentors: dict[str, int] = now.snapshot["mentors"]
    matches = (run.result or {}).get("matches") or []
    per_mentee: dict[str, int] = {}
    per_mentor: dict[str, int] = {}
    for m in matches:
        per_mentee[m["mentee"]] = per_mentee.get(m["mentee"], 0) + 1
        per_mentor[m["mentor"]] = per_mentor.get(m["mentor"], 0) + 1
    user_ids = {user_id_of(x) for x in {*old_mentees, *old_mentors, *new_mentees, *new_mentors}}
    full = {u.pk: u.name for u in User.objects.filter(pk__in=user_ids)}

    def name(eid: str) -> str:
        return full.get(user_id_of(eid), eid)

    words = role_words(run.programme)  # "junior mentor" in reverse mentoring
    changes: list[str] = []
    for eid, count in sorted(per_mentee.items()):
        wants = new_mentees.get(eid, 0)
        if eid not in new_mentees:
            changes.append(
                f"{name(eid)} no longer waits for a {words.mentor} (left the programme, or was "
                "matched in the meantime)."
            )
        elif wants < count:
            changes.append(
                f"{name(eid)} now needs only {wants} more {words.mentor}(s), not {count}."
            )
    changes += _room_changes(per_mentor, new_mentors, name, role=words.mentor, unit="")
    changes += _arrivals(
        new_mentees, old_mentees, name, f"new {words.mentee}(s) waiting since the run"
    )
    changes += _arrivals(new_mentors, old_mentors, name, f"new {words.mentor}(s) since the run")
    return Staleness(changes=changes)


def _room_changes(
    given: dict[str, int], now: dict[str, int], name: Callable[[str], str], *, role: str, unit: str
) -> list[str]:
    """Who the proposal gives more pairs than they now have room for, or who left."""
    lines = []
    for eid, count in sorted(given.items()):
        if eid not in now:
            lines.append(f"{name(eid)} is no longer an active {role} in the programme.")
        elif now[eid] < count:
            lines.append(
                f"{name(eid)} has room for {now[eid]}{unit} now, but the proposal gives "
                f"them {count}."
            )
    return lines


def _arrivals(
    now: dict[str, int], before: dict[str, int], name: Callable[[str], str], what: str
) -> list[str]:
    """One line naming (the first ten of) the people who are new since the run."""
    arrived = sorted(set(now) - set(before))
    if not arrived:
        return []
    more = "…" if len(arrived) > 10 else ""
    return [f"{len(arrived)} {what}: " + ", ".join(name(e) for e in arrived[:10]) + more + "."]


def _problem_with_proposal(run: MatchingRun, *, without_mentee: str) -> BuiltProblem:
    """The current problem with every other proposed pair locked, so that the engine's
    alternatives only name mentors with room left in this proposal."""
    requests = (run.snapshot or {}).get("rematch_requests") or {}
    built = build_problem(
        programme=run.programme,
        mentee_user_ids={int(k) for k in requests} if run_kind(run) == REMATCH else None,
        include_locks=False,
    )
    mentees = {m["id"] for m in built.data["mentees"]}
    mentors = {m["id"]: m["capacity"] for m in built.data["mentors"]}
    forbidden = {tuple(p) for p in built.data["forbidden_pairs"]}
    locked = []
    for match in (run.result or {}).get("matches") or []:
        pair = (match["mentee"], match["mentor"])
        if pair[0] == without_mentee or pair[0] not in mentees or pair[1] not in mentors:
            continue
        if pair in forbidden or mentors[pair[1]] <= 0:
            continue
        mentors[pair[1]] -= 1
        locked.append(list(pair))
    built.data["locked_pairs"] = sorted(locked)
    return built


def swap_alternatives(*, run: MatchingRun, mentee: str, top: int = 5) -> list[dict[str, Any]]:
    """The engine's best other mentors for a proposed mentee, who have room left once the
    rest of the proposal is counted (never the mentor they already have)."""
    if not any(m["mentee"] == mentee for m in (run.result or {}).get("matches") or []):
        raise ValidationError("That mentee is not in this proposal.")
    if is_peer(run.programme):
        raise ValidationError("Peer pairs are not swapped: forbid the pair and re-run matching.")
    built = _problem_with_proposal(run, without_mentee=mentee)
    if mentee not in {m["id"] for m in built.data["mentees"]}:
        raise ValidationError("This mentee no longer waits for a mentor: re-run matching.")
    current = {m["mentor"] for m in run.result["matches"] if m["mentee"] == mentee}
    try:
        problem = load_problem(built.data)
        recs = recommend(problem, mentee_id=mentee, top=top + len(current), **engine_options())
    except (ProblemError, EmbeddingUnavailable) as error:
        raise ValidationError(engine_error_text(error)) from error
    data = recommendations_to_dict("mentee", mentee, recs)["recommendations"]
    return [r for r in data if r["mentor"] not in current][:top]


# --- the settings page's dry run -----------------------------------------------------------

# Above this many people the settings page does not run the engine on each change.
PREVIEW_MAX_PEOPLE = 2000


@dataclass
class Preview:
    """What the current settings would give if the engine ran now."""

    mentees: int = 0
    mentors: int = 0
    matched_percent: float | None = None
    mean_score: float | None = None
    seconds: float = 0.0
    skipped: str = ""


def _totals(result: dict[str, Any], mentees: int) -> tuple[float | None, float | None]:
    objective = result.get("objective") or {}
    matches = result.get("matches") or []
    matched = objective.get("mentees_matched")
    percent = (100.0 * matched / mentees) if mentees and matched is not None else None
    mean = (100.0 * sum(m["score"] for m in matches) / len(matches)) if matches else None
    return percent, mean


def matching_preview(*, programme: Programme) -> Preview:
    """Runs the engine in-process on the current problem, storing nothing (a dry run)."""
    built = build_problem(programme=programme)
    if "peers" in built.data:  # a peer programme: everyone is both
        mentees = mentors = len([p for p in built.data["peers"] if p["capacity"] > 0])
    else:
        mentees, mentors = len(built.data["mentees"]), len(built.data["mentors"])
    preview = Preview(mentees=mentees, mentors=mentors)
    if (mentees + mentors) // (2 if "peers" in built.data else 1) > PREVIEW_MAX_PEOPLE:
        preview.skipped = (
            f"With {mentees + mentors:,} people a preview would take too long here; "
            "run matching to see the effect."
        )
        return preview
    if not mentees or not mentors:
        preview.skipped = (
            "There is no one to match yet: no mentee waits for a mentor, or no mentor has room."
        )
        return preview
    started = time.perf_counter()
    try:
        result = result_to_dict(solve(load_problem(built.data), **engine_options()), timings=False)
    except (ProblemError, EmbeddingUnavailable) as error:
        preview.skipped = engine_error_text(error)
        return preview
    preview.seconds = time.perf_counter() - started
    preview.matched_percent, preview.mean_score = _totals(result, mentees)
    return preview


def _peer_staleness(run: MatchingRun, old: dict[str, int], new: dict[str, int]) -> Staleness:
    """Peer programmes: each peer in the proposal must still be active with room for the
    pairs it gives them; peers who joined since are listed."""
    per: dict[str, int] = {}
    for m in (run.result or {}).get("matches") or []:
        for x in (m["mentee"], m["mentor"]):
            per[x] = per.get(x, 0) + 1
    full = {u.pk: u.name for u in User.objects.filter(pk__in={user_id_of(x) for x in {*old, *new}})}

    def name(eid: str) -> str:
        return full.get(user_id_of(eid), eid)

    changes = _room_changes(per, new, name, role="peer", unit=" peer(s)")
    changes += _arrivals(new, old, name, "new peer(s) since the run")
    return Staleness(changes=changes)
