"""Plain, frozen data classes for the matching problem and its result."""

from __future__ import annotations

from dataclasses import dataclass, field

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SCORE_SCALE = 1_000_000  # scores are compared as integers in millionths
FACTORS = ("skills", "goals", "bio", "availability", "seniority")
DEFAULT_WEIGHTS: dict[str, float] = {
    "skills": 1.0,
    "goals": 1.0,
    "availability": 1.0,
    "seniority": 0.5,
}


@dataclass(frozen=True, slots=True)
class Slot:
    """A weekly availability window in the person's own timezone (minutes from midnight)."""

    day: int  # 0 = Monday
    start: int
    end: int  # exclusive, up to 1440


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    capacity: int = 1
    wants: int | None = None
    skills: tuple[str, ...] = ()
    goals: str = ""
    bio: str = ""
    languages: tuple[str, ...] = ()
    timezone: str | None = None
    availability: tuple[Slot, ...] = ()
    department: str | None = None
    manager_id: str | None = None
    seniority: float | None = None
    answers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Never read by scoring or the solver; only by the fairness audit.
    protected: tuple[tuple[str, str], ...] = ()
    # Peer mode only: skills this peer can share (``skills`` are those they want); None
    # means the same as ``skills`` (peers learning the same things together).
    offers: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    require_common_language: bool = True
    max_timezone_gap_hours: float | None = None
    min_availability_overlap_minutes: int = 0
    same_department: str = "allow"  # allow | avoid | forbid
    forbid_reporting_line: bool = True
    department_penalty: float = 0.2
    # Reverse mentoring: only pairs whose mentor is known to be less senior than the mentee.
    mentor_less_senior: bool = False


@dataclass(frozen=True, slots=True)
class Question:
    """A programme questionnaire question marked for matching."""

    key: str
    weight: float
    compare: str = "same"  # same | overlap


@dataclass(frozen=True, slots=True)
class Settings:
    mentors_per_mentee: int = 1
    min_score: float = 0.0
    candidates_per_mentee: int = 50
    weights: tuple[tuple[str, float], ...] = tuple(DEFAULT_WEIGHTS.items())
    rules: Rules = field(default_factory=Rules)
    related_skills: tuple[tuple[str, tuple[str, ...]], ...] = ()
    related_skill_credit: float = 0.5
    seniority_margin_years: float = 5.0
    # "mentor_ahead" (the default) or "mentee_ahead" (reverse mentoring): who should be
    # the more senior for the seniority factor to count.
    seniority_direction: str = "mentor_ahead"
    availability_target_minutes: int = 120
    availability_weeks: tuple[str, ...] = ("2026-01-12", "2026-07-13")
    questions: tuple[Question, ...] = ()
    fairness_min_group: int = 5

    def weight(self, name: str) -> float:
        return dict(self.weights).get(name, 0.0)


@dataclass(frozen=True, slots=True)
class Problem:
    mentees: tuple[Person, ...]
    mentors: tuple[Person, ...]
    settings: Settings = field(default_factory=Settings)
    locked_pairs: tuple[tuple[str, str], ...] = ()
    forbidden_pairs: tuple[tuple[str, str], ...] = ()
    scores: tuple[tuple[str, str, float], ...] | None = None
    # "mentoring" (mentees and mentors, a bipartite problem) or "peer" (everyone is both:
    # ``mentees`` and ``mentors`` then list the same peers in the same order, the mentors
    # with the skills they offer; pairs are unordered; see peer.py) or "circles" (mentees
    # and group circles in ``mentors``, each mentee joining one; see circle_io.py).
    mode: str = "mentoring"

    def wants(self, mentee: Person) -> int:
        return mentee.wants if mentee.wants is not None else self.settings.mentors_per_mentee


@dataclass(frozen=True, slots=True)
class Reason:
    factor: str
    contribution: float
    detail: str


@dataclass(frozen=True, slots=True)
class Match:
    mentee: str
    mentor: str
    score: float
    reasons: tuple[Reason, ...] = ()
    locked: bool = False


@dataclass(frozen=True, slots=True)
class Unmatched:
    mentee: str
    missing: int
    reason: str


@dataclass(frozen=True, slots=True)
class Objective:
    mentees_matched: int
    matched_pairs: int
    total_score: float
    upper_bound: float
    pricing_rounds: int = 0
    candidates: int = 0


@dataclass(frozen=True, slots=True)
class GroupStats:
    mentees: int
    matched_rate: float | None
    mean_score: float | None
    suppressed: bool = False


@dataclass(frozen=True, slots=True)
class AttributeAudit:
    groups: tuple[tuple[str, GroupStats], ...]
    disparate_impact: float | None
    driver: str | None = None
    disparate_impact_without_driver: float | None = None


@dataclass(frozen=True, slots=True)
class Result:
    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    objective: Objective
    fairness: tuple[tuple[str, AttributeAudit], ...] = ()
    timings: tuple[tuple[str, float], ...] = ()
    candidates: tuple[tuple[str, str, float], ...] | None = None


@dataclass(frozen=True, slots=True)
class Recommendation:
    id: str
    score: float
    capacity_left: int
    reasons: tuple[Reason, ...] = ()
