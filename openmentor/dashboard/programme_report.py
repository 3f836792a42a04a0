"""The programme dashboard's figures: a few aggregate queries per table, whatever the
programme's size.

Each table is a `Table` (its columns, its rows, a one-sentence takeaway and a chart), so
the page, its data tables and the CSV/XLSX/PDF exports show the same numbers. Each table
has its own builder (`BUILDERS`), so an export computes only its own table. Figures from
ratings, NPS and check-in answers are shown only over at least `MIN_GROUP` answers, so no
figure reveals one person's answer (docs/decisions/0003).

Filters: a *cohort* is the calendar quarter in which people enrolled (`2026-Q1`); a
mentorship belongs to its mentee's cohort. The date range bounds when things happened
(meetings, ratings, check-ins, endings, rematch requests); the funnel, time to match,
goals and health are the cohort's state now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from openmentor.core.sqltime import DaysBetween
from openmentor.dashboard import report_charts as charts
from openmentor.dashboard.models import HealthSnapshot
from openmentor.dashboard.report_activity import (
    attendance_table,
    checkins_table,
    meetings_table,
    ratings_table,
)
from openmentor.dashboard.report_base import (
    MIN_GROUP,
    Filters,
    Scope,
    Table,
    pct,
    quarter_bounds,
    report_scope,
)
from openmentor.dashboard.report_compare import cohorts_table
from openmentor.dashboard.report_diversity import DIVERSITY_BUILDERS
from openmentor.mentorships.models import (
    Activity,
    Goal,
    Mentorship,
    MentorshipMember,
    RematchRequest,
)
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from openmentor.tracking.health import LABELS, ORDER
from openmentor.tracking.selectors import programme_health

__all__ = [
    "MIN_GROUP",
    "ALL_BUILDERS",
    "BUILDERS",
    "PAGES",
    "Filters",
    "ProgrammeReport",
    "Table",
    "programme_report",
]
__all__ += ["cohort_choices", "quarter_bounds"]

ACTIVE_WITHIN = dt.timedelta(days=30)
# The health snapshot is refreshed every ten minutes; one older than this (no worker
# running) is not trusted and the dashboard assesses the pairs itself.
SNAPSHOT_MAX_AGE = dt.timedelta(minutes=30)


@dataclass
class ProgrammeReport:
    programme: Programme
    filters: Filters
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def at_risk(self) -> list[Any]:
        found = next((t for t in self.tables if t.key == "health"), None)
        return found.details if found is not None else []


def cohort_choices(*, programme: Programme) -> list[str]:
    """The quarters in which anyone enrolled, newest first (one query)."""
    span = Enrolment.objects.filter(programme=programme).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    if span["first"] is None:
        return []
    first, last = span["first"], span["last"]
    quarters = []
    year, quarter = first.year, (first.month - 1) // 3 + 1
    while (year, quarter) <= (last.year, (last.month - 1) // 3 + 1):
        quarters.append(f"{year}-Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return quarters[::-1]


def _members(pairs: QuerySet[Mentorship]) -> Q:
    """Enrolments of people who are a member of one of `pairs` (a circle's people are its
    member rows, everyone who was in it, not its two columns)."""
    return (
        Q(user_id__in=pairs.values("mentor_id"))
        | Q(user_id__in=pairs.values("mentee_id"))
        | Q(user_id__in=MentorshipMember.objects.filter(mentorship__in=pairs).values("user_id"))
    )


def funnel_table(scope: Scope) -> Table:
    held = Activity.objects.filter(mentorship=OuterRef("pk"), kind=Activity.Kind.MEETING_HELD)
    met = scope.mentorships.filter(Exists(held))
    active = scope.mentorships.filter(
        Exists(held.filter(occurred_at__gte=scope.now - ACTIVE_WITHIN)),
        status=Mentorship.Status.ACTIVE,
    )
    complete = Profile.objects.filter(
        organisation_id=scope.programme.organisation_id, completeness__gte=100
    ).values("user_id")
    people = Count("user_id", distinct=True)
    found = scope.enrolments.aggregate(
        rows=Count("pk"),
        by_invitation=Count("pk", filter=Q(source=Enrolment.Source.INVITATION)),
        signed_up=people,
        complete=Count("user_id", distinct=True, filter=Q(user_id__in=complete)),
        matched=Count("user_id", distinct=True, filter=_members(scope.mentorships)),
        met=Count("user_id", distinct=True, filter=_members(met)),
        active=Count("user_id", distinct=True, filter=_members(active)),
    )
    # Everyone invited (an invitation accepted counts once, even where its row is gone),
    # plus those who joined another way (a link, a campaign, an import).
    emails = scope.invitations.values("email").distinct().count()
    invited = max(emails, found["by_invitation"]) + found["rows"] - found["by_invitation"]
    stages = [
        ("Invited or joined by link", invited),
        ("Signed up", found["signed_up"]),
        ("Profile complete", found["complete"]),
        ("Matched", found["matched"]),
        ("First meeting held", found["met"]),
        ("Active (met in the last 30 days)", found["active"]),
    ]
    top = invited or 1
    rows = [[label, n, pct(n, invited)] for label, n in stages]
    if not invited:
        takeaway = "Nobody has been invited or signed up yet."
    else:
        drop, i = max((stages[i][1] - stages[i + 1][1], i) for i in range(len(stages) - 1))
        takeaway = (
            f"{pct(found['active'], invited)} of the {invited} people invited are in "
            f"an active mentorship; the biggest drop is from “{stages[i][0].lower()}” "
            f"to “{stages[i + 1][0].lower()}” ({drop} people)."
        )
    chart = charts.bars([(label, n / top, str(n)) for label, n in stages], title="Enrolment funnel")
    return Table(
        "funnel", "Enrolment funnel", ["Stage", "People", "Of invited"], rows, takeaway, chart
    )


def median_days_to_match(enrolments: QuerySet[Enrolment], waited: int) -> float | None:
    """The median wait of `waited` mentees, read as the one or two middle rows in SQL."""
    if not waited:
        return None
    middle = list(
        enrolments.filter(
            role=Enrolment.Role.MENTEE, matched_at__isnull=False, matched_at__gte=F("created_at")
        )
        .annotate(wait=DaysBetween("created_at", "matched_at"))
        .order_by("wait")
        .values_list("wait", flat=True)[(waited - 1) // 2 : waited // 2 + 1]
    )
    return sum(middle) / len(middle)


def matching_table(scope: Scope) -> Table:
    mentee = Q(role=Enrolment.Role.MENTEE)
    found = scope.enrolments.aggregate(
        mentees=Count("pk", filter=mentee),
        matched=Count("pk", filter=mentee & Q(matched_at__isnull=False)),
        waited=Count("pk", filter=mentee & Q(matched_at__gte=F("created_at"))),
    )
    mentees, matched = found["mentees"], found["matched"]
    wait = median_days_to_match(scope.enrolments, found["waited"])
    rows: list[list[Any]] = [
        ["Mentees signed up", mentees],
        ["Mentees matched", matched],
        ["Match rate", pct(matched, mentees)],
        ["Median days to match", "—" if wait is None else f"{wait:.1f}"],
    ]
    takeaway = (
        "No mentee has signed up yet."
        if not mentees
        else f"{pct(matched, mentees)} of mentees are matched"
        + ("." if wait is None else f", after a median of {wait:.1f} days.")
    )
    return Table("matching", "Match rate and time to match", ["Figure", "Value"], rows, takeaway)


def goals_table(scope: Scope) -> Table:
    found = Goal.objects.filter(mentorship__in=scope.mentorships.values("pk")).aggregate(
        goals=Count("id"),
        reached=Count("id", filter=Q(reached_at__isnull=False)),
        progress=Avg("progress"),
    )
    goals, reached = found["goals"], found["reached"]
    progress = found["progress"]
    rows: list[list[Any]] = [
        ["Goals set", goals],
        ["Goals reached", reached],
        ["Average progress", "—" if progress is None else f"{progress:.0f} %"],
    ]
    takeaway = (
        "No goal has been set yet."
        if not goals
        else f"{reached} of {goals} goals are reached ({pct(reached, goals)})."
    )
    return Table("goals", "Goal progress", ["Figure", "Value"], rows, takeaway)


@dataclass(frozen=True)
class AtRisk:
    """A pair at risk as the dashboard lists it."""

    mentor_name: str
    mentee_name: str
    reasons: tuple[str, ...]
    action: str


def _name_of(display_name: str, first_name: str, last_name: str, email: str) -> str:
    return display_name or f"{first_name} {last_name}".strip() or email


def _health_snapshot(scope: Scope) -> tuple[dict[str, int], list[AtRisk], Any] | None:
    """States from the periodic snapshot (dashboard.services), or None when it is older
    than SNAPSHOT_MAX_AGE or missing: then the dashboard assesses every pair itself."""
    rows = HealthSnapshot.objects.filter(programme=scope.programme).exclude(
        mentorship__status=Mentorship.Status.ENDED
    )
    if scope.filters.cohort:
        rows = rows.filter(mentorship_id__in=scope.mentorships.values("pk"))
    counts: dict[str, int] = {}
    assessed = None
    for state, n, at in (
        rows.values("state").annotate(n=Count("pk"), at=Min("assessed_at")).order_by()
    ).values_list("state", "n", "at"):
        counts[state] = n
        assessed = at if assessed is None else min(assessed, at)
    if assessed is None or assessed < scope.now - SNAPSHOT_MAX_AGE:
        return None
    columns = ("display_name", "first_name", "last_name", "email")
    at_risk = [
        AtRisk(_name_of(*row[:4]), _name_of(*row[4:8]), tuple(row[8]), row[9])
        for row in rows.filter(state="at_risk")
        .order_by("mentorship_id")
        .values_list(
            *(f"mentorship__{side}__{c}" for side in ("mentor", "mentee") for c in columns),
            "reasons",
            "action",
        )
    ]
    at_risk.sort(key=lambda row: row.mentee_name)
    return counts, at_risk, assessed


def health_table(scope: Scope) -> Table:
    found = _health_snapshot(scope)
    if found is not None:
        counts, at_risk, assessed = found
        note = f"As assessed at {timezone.localtime(assessed):%H:%M} (every ten minutes)."
    else:
        health = programme_health(programme=scope.programme, now=scope.now)
        rows_in = health.rows
        if scope.filters.cohort:
            in_scope = set(scope.mentorships.values_list("pk", flat=True))
            rows_in = [r for r in rows_in if r.mentorship.pk in in_scope]
        counts = {}
        for row in rows_in:
            counts[str(row.health.state)] = counts.get(str(row.health.state), 0) + 1
        at_risk = [
            AtRisk(
                r.mentorship.mentor_name,
                r.mentorship.mentee_name,
                r.health.reasons,
                r.health.action,
            )
            for r in rows_in
            if str(r.health.state) == "at_risk"
        ]
        note = ""
    rows: list[list[Any]] = [[LABELS[s], counts.get(str(s), 0)] for s in ORDER]
    total = sum(counts.values())
    takeaway = (
        "No open mentorship."
        if not total
        else f"{len(at_risk)} of {total} open mentorships are at risk ({pct(len(at_risk), total)})."
    )
    chart = charts.bars(
        [(label, n / (total or 1), str(n)) for label, n in rows], title="Relationship health"
    )
    return Table(
        "health",
        "Relationship health",
        ["State", "Mentorships"],
        rows,
        takeaway,
        chart,
        note=note,
        details=at_risk,
    )


def rematches_table(scope: Scope) -> Table:
    filters = scope.filters
    counts = dict(
        RematchRequest.objects.filter(
            programme=scope.programme,
            created_at__gte=filters.since,
            created_at__lt=filters.until,
        )
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    rows = [[label, counts.get(value, 0)] for value, label in RematchRequest.Status.choices]
    total = sum(counts.values())
    return Table(
        "rematches",
        "Rematch requests",
        ["Status", "Requests"],
        rows,
        f"{total} rematch request{'s' if total != 1 else ''} in this period.",
    )


def endings_table(scope: Scope) -> Table:
    counts: dict[str, int] = {}
    for reason, n in (
        scope.mentorships.filter(
            status=Mentorship.Status.ENDED,
            ended_at__gte=scope.filters.since,
            ended_at__lt=scope.filters.until,
        )
        .values("end_reason")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("end_reason", "n")
    ):
        counts[reason or "other"] = counts.get(reason or "other", 0) + n
    total = sum(counts.values())
    # Reasons are counted only from MIN_GROUP endings: fewer would point at a pair
    # (docs/decisions/0003).
    shown = total >= MIN_GROUP
    rows: list[list[Any]] = [
        [label, counts.get(value, 0) if shown else "too few to show"]
        for value, label in Mentorship.EndReason.choices
    ]
    if not total:
        takeaway = "No mentorship ended in this period."
    elif not shown:
        takeaway = (
            f"{total} mentorship{'s' if total != 1 else ''} ended; reasons are shown "
            f"from {MIN_GROUP} endings."
        )
    else:
        value, n = max(counts.items(), key=lambda item: item[1])
        takeaway = (
            f"{total} mentorships ended; the most common reason was "
            f"“{Mentorship.EndReason(value).label}” ({n})."
        )
    chart = charts.bars(
        [(label, n / total if shown else 0.0, str(n)) for label, n in rows],
        title="Ending reasons",
    )
    return Table("endings", "Ending reasons", ["Reason", "Mentorships"], rows, takeaway, chart)


BUILDERS: dict[str, Callable[[Scope], Table]] = {
    "funnel": funnel_table,
    "matching": matching_table,
    "meetings": meetings_table,
    "attendance": attendance_table,
    "ratings": ratings_table,
    "checkins": checkins_table,
    "goals": goals_table,
    "health": health_table,
    "rematches": rematches_table,
    "endings": endings_table,
}


# Every table a manager can see or download, and the pages that show them.
ALL_BUILDERS: dict[str, Callable[[Scope], Table]] = {
    **BUILDERS,
    "cohorts": cohorts_table,
    **DIVERSITY_BUILDERS,
}
PAGES: dict[str, tuple[str, list[str]]] = {
    "dashboard": ("How {name} is doing", list(BUILDERS)),
    "cohorts": ("{name}: cohorts side by side", ["cohorts"]),
    "diversity": ("{name}: diversity and inclusion", list(DIVERSITY_BUILDERS)),
}


def programme_report(
    *,
    programme: Programme,
    filters: Filters,
    now: dt.datetime | None = None,
    only: Collection[str] | None = None,
) -> ProgrammeReport:
    """Every figure of the dashboard (or of the tables named in `only`, from
    `ALL_BUILDERS`) in a fixed number of queries whatever the programme's size (about 20
    for the whole dashboard)."""
    scope = report_scope(programme=programme, filters=filters, now=now or timezone.now())
    keys = list(BUILDERS) if only is None else [key for key in ALL_BUILDERS if key in only]
    return ProgrammeReport(programme, filters, [ALL_BUILDERS[key](scope) for key in keys])
