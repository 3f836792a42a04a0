"""The programme dashboard's figures: one read per table, whatever the programme's size.

Each table is a `Table` (its columns, its rows, a one-sentence takeaway and a chart), so
the page, its data tables and the CSV/XLSX exports show the same numbers. Figures from
ratings, NPS and check-in answers are shown only over at least `MIN_GROUP` answers, so no
figure reveals one person's answer (docs/decisions/0003).

Filters: a *cohort* is the calendar quarter in which people enrolled (`2026-Q1`); a
mentorship belongs to its mentee's cohort. The date range bounds when things happened
(meetings, ratings, check-ins, endings, rematch requests); the funnel, time to match,
goals and health are the cohort's state now.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from django.db.models import Avg, Count, Max, Min, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.safestring import SafeString

from openmentor.dashboard import report_charts as charts
from openmentor.feedback.models import Checkin, MeetingFeedback
from openmentor.mentorships.models import (
    Activity,
    Goal,
    Mentorship,
    MentorshipMember,
    RematchRequest,
)
from openmentor.organisations.models import Invitation
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from openmentor.tracking.health import LABELS, ORDER
from openmentor.tracking.selectors import programme_health

MIN_GROUP = 5
ACTIVE_WITHIN = dt.timedelta(days=30)
SIGNED_UP = (Enrolment.Status.ACTIVE, Enrolment.Status.PENDING)


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    cohort: str = ""  # "" for everyone, else "YYYY-Qn"

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=dt.UTC)

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


@dataclass
class Table:
    key: str  # the export's name: letters and underscores
    title: str
    columns: list[str]
    rows: list[list[Any]]
    takeaway: str
    chart: SafeString = field(default_factory=lambda: SafeString(""))
    note: str = ""


@dataclass
class ProgrammeReport:
    programme: Programme
    filters: Filters
    tables: list[Table]
    figures: dict[str, Any]
    at_risk: list[Any]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def quarter_bounds(cohort: str) -> tuple[dt.datetime, dt.datetime]:
    year, quarter = int(cohort[:4]), int(cohort[-1])
    start = dt.datetime(year, 3 * quarter - 2, 1, tzinfo=dt.UTC)
    end = (
        dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
        if quarter == 4
        else dt.datetime(year, 3 * quarter + 1, 1, tzinfo=dt.UTC)
    )
    return start, end


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


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "—"


def programme_report(
    *, programme: Programme, filters: Filters, now: dt.datetime | None = None
) -> ProgrammeReport:
    """Every figure of the dashboard in a fixed number of queries (about 16)."""
    now = now or timezone.now()
    enrolments: QuerySet[Enrolment] = Enrolment.objects.filter(
        programme=programme, status__in=SIGNED_UP
    )
    invitations = Invitation.objects.filter(programme=programme)
    if filters.cohort:
        low, high = quarter_bounds(filters.cohort)
        enrolments = enrolments.filter(created_at__gte=low, created_at__lt=high)
        invitations = invitations.filter(created_at__gte=low, created_at__lt=high)
    mentorships = Mentorship.objects.filter(programme=programme)
    if filters.cohort:
        mentorships = mentorships.filter(
            mentee_id__in=enrolments.filter(role=Enrolment.Role.MENTEE).values("user_id")
        )
    activities = Activity.objects.filter(programme=programme)
    if filters.cohort:
        activities = activities.filter(mentorship_id__in=mentorships.values("pk"))

    people = list(enrolments.values_list("user_id", "role", "source", "created_at", "matched_at"))
    pairs = list(
        mentorships.values_list(
            "pk", "mentor_id", "mentee_id", "status", "ended_at", "end_reason", "source"
        )
    )
    met = {
        row[0]: (row[1], row[2])
        for row in activities.filter(kind=Activity.Kind.MEETING_HELD)
        .values("mentorship_id")
        .annotate(first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by()
        .values_list("mentorship_id", "first", "last")
    }
    tables = [
        _funnel(programme, people, pairs, met, invitations, enrolments, now),
        _matching(people),
    ]
    tables += _meetings(activities, filters)
    tables += _ratings(programme, mentorships, filters)
    tables.append(_checkins(mentorships, filters))
    tables.append(_goals(mentorships))
    health_table, at_risk = _health(programme, {p[0] for p in pairs}, now)
    tables.append(health_table)
    tables.append(_rematches(programme, filters))
    tables.append(_endings(pairs, filters))
    figures = {t.key: t.rows for t in tables}
    return ProgrammeReport(programme, filters, tables, figures, at_risk)


def _funnel(
    programme: Programme,
    people: list[tuple[Any, ...]],
    pairs: list[tuple[Any, ...]],
    met: dict[int, tuple[dt.datetime, dt.datetime]],
    invitations: QuerySet[Invitation],
    enrolments: QuerySet[Enrolment],
    now: dt.datetime,
) -> Table:
    signed_up = {p[0] for p in people}
    not_invited = sum(1 for p in people if p[2] != Enrolment.Source.INVITATION)
    # Everyone invited (an invitation accepted counts once, even where its row is gone),
    # plus those who joined another way (a link, a campaign, an import).
    invited = (
        max(invitations.values("email").distinct().count(), len(people) - not_invited) + not_invited
    )
    complete = Profile.objects.filter(
        organisation_id=programme.organisation_id,
        user_id__in=enrolments.values("user_id"),
        completeness__gte=100,
    ).count()
    matched: set[int] = set()
    first_meeting: set[int] = set()
    active: set[int] = set()
    # A circle's people are its member rows (everyone who was in it), not its two columns.
    in_circles: dict[int, set[int]] = {}
    for circle_id, user_id in MentorshipMember.objects.filter(
        mentorship_id__in=[p[0] for p in pairs if p[2] is None]
    ).values_list("mentorship_id", "user_id"):
        in_circles.setdefault(circle_id, set()).add(user_id)
    for pk, mentor_id, mentee_id, status, *_ in pairs:
        members = (in_circles.get(pk, set()) | {mentor_id, mentee_id}) & signed_up
        matched |= members
        if pk in met:
            first_meeting |= members
            if status == Mentorship.Status.ACTIVE and now - met[pk][1] <= ACTIVE_WITHIN:
                active |= members
    stages = [
        ("Invited or joined by link", invited),
        ("Signed up", len(signed_up)),
        ("Profile complete", complete),
        ("Matched", len(matched)),
        ("First meeting held", len(first_meeting)),
        ("Active (met in the last 30 days)", len(active)),
    ]
    top = stages[0][1] or 1
    rows = [[label, n, _pct(n, stages[0][1])] for label, n in stages]
    drops = [(stages[i][1] - stages[i + 1][1], i) for i in range(len(stages) - 1)]
    if not stages[0][1]:
        takeaway = "Nobody has been invited or signed up yet."
    else:
        drop, i = max(drops)
        takeaway = (
            f"{_pct(len(active), stages[0][1])} of the {stages[0][1]} people invited are in "
            f"an active mentorship; the biggest drop is from “{stages[i][0].lower()}” "
            f"to “{stages[i + 1][0].lower()}” ({drop} people)."
        )
    chart = charts.bars([(label, n / top, str(n)) for label, n in stages], title="Enrolment funnel")
    return Table(
        "funnel", "Enrolment funnel", ["Stage", "People", "Of invited"], rows, takeaway, chart
    )


def _matching(people: list[tuple[Any, ...]]) -> Table:
    mentees = [p for p in people if p[1] == Enrolment.Role.MENTEE]
    matched = [p for p in mentees if p[4] is not None]
    waits = [(p[4] - p[3]).total_seconds() / 86400 for p in matched if p[4] >= p[3]]
    wait = median(waits) if waits else None
    rows: list[list[Any]] = [
        ["Mentees signed up", len(mentees)],
        ["Mentees matched", len(matched)],
        ["Match rate", _pct(len(matched), len(mentees))],
        ["Median days to match", "—" if wait is None else f"{wait:.1f}"],
    ]
    takeaway = (
        "No mentee has signed up yet."
        if not mentees
        else f"{_pct(len(matched), len(mentees))} of mentees are matched"
        + ("." if wait is None else f", after a median of {wait:.1f} days.")
    )
    return Table("matching", "Match rate and time to match", ["Figure", "Value"], rows, takeaway)


def _weeks(filters: Filters) -> list[dt.date]:
    first = filters.start - dt.timedelta(days=filters.start.weekday())
    weeks = []
    while first <= filters.end:
        weeks.append(first)
        first += dt.timedelta(weeks=1)
    return weeks


def _as_date(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _meetings(activities: QuerySet[Activity], filters: Filters) -> list[Table]:
    counts: dict[tuple[dt.date, str], int] = defaultdict(int)
    rows_in = (
        activities.filter(
            kind__in=[Activity.Kind.MEETING_HELD, Activity.Kind.MEETING_MISSED],
            occurred_at__gte=filters.since,
            occurred_at__lt=filters.until,
        )
        .annotate(week=TruncWeek("occurred_at"), source=KeyTextTransform("source", "data"))
        .values("week", "kind", "source")
        .annotate(n=Count("id"))
        .order_by()
    )
    held = missed = 0
    for row in rows_in:
        week = _as_date(row["week"])
        if row["kind"] == Activity.Kind.MEETING_MISSED:
            counts[(week, "missed")] += row["n"]
            missed += row["n"]
        else:
            counts[(week, "call" if row["source"] == "call" else "reported")] += row["n"]
            held += row["n"]
    weeks = _weeks(filters)
    rows: list[list[Any]] = [
        [week.isoformat(), counts[(week, "call")], counts[(week, "reported")]] for week in weeks
    ]
    calls = sum(r[1] for r in rows)
    half = len(rows) // 2
    before = sum(r[1] + r[2] for r in rows[:half])
    after = sum(r[1] + r[2] for r in rows[half:])
    if not held:
        takeaway = "No meeting was held in this period."
    else:
        trend = (
            "the same number as"
            if after == before
            else (
                f"{abs(after - before)} {'more' if after > before else 'fewer'} than"
                if not before
                else f"{abs(100 * (after - before) / before):.0f} % "
                f"{'more' if after > before else 'fewer'} than"
            )
        )
        takeaway = (
            f"Pairs held {held} meetings ({_pct(calls, held)} by call in OpenMentor); "
            f"the second half of the period had {trend} the first."
        )
    chart = charts.columns(
        [r[0][5:] for r in rows],
        [
            ("In-app calls", [float(r[1]) for r in rows]),
            ("Self-reported", [float(r[2]) for r in rows]),
        ],
        title="Meetings held per week",
    )
    meetings = Table(
        "meetings",
        "Meetings held per week",
        ["Week starting", "In-app calls", "Self-reported"],
        rows,
        takeaway,
        chart,
    )
    attendance = Table(
        "attendance",
        "Attendance",
        ["Figure", "Value"],
        [
            ["Meetings held", held],
            ["Meetings missed", missed],
            ["Attendance", _pct(held, held + missed)],
        ],
        (
            "No meeting outcome was recorded in this period."
            if not held + missed
            else f"{_pct(held, held + missed)} of the meetings due took place."
        ),
    )
    return [meetings, attendance]


def _months(filters: Filters) -> list[dt.date]:
    month = filters.start.replace(day=1)
    months = []
    while month <= filters.end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _ratings(
    programme: Programme, mentorships: QuerySet[Mentorship], filters: Filters
) -> list[Table]:
    window = Q(answered_at__gte=filters.since, answered_at__lt=filters.until)
    rated = {
        _as_date(row["month"]): (row["n"], row["mean"])
        for row in MeetingFeedback.objects.filter(
            window, mentorship__in=mentorships.values("pk"), rating__isnull=False
        )
        .annotate(month=TruncMonth("answered_at"))
        .values("month")
        .annotate(n=Count("id"), mean=Avg("rating"))
        .order_by()
    }
    scores = {
        _as_date(row["month"]): (row["n"], row["promoters"], row["detractors"])
        for row in Checkin.objects.filter(
            window,
            mentorship__in=mentorships.values("pk"),
            survey=Checkin.Survey.CLOSING,
            nps__isnull=False,
        )
        .annotate(month=TruncMonth("answered_at"))
        .values("month")
        .annotate(
            n=Count("id"),
            promoters=Count("id", filter=Q(nps__gte=9)),
            detractors=Count("id", filter=Q(nps__lte=6)),
        )
        .order_by()
    }
    rows: list[list[Any]] = []
    shown_means: list[float] = []
    shown_nps: list[float | None] = []
    means: list[float | None] = []
    for month in _months(filters):
        n, mean = rated.get(month, (0, None))
        answers, promoters, detractors = scores.get(month, (0, 0, 0))
        mean_shown = round(float(mean), 2) if n >= MIN_GROUP and mean is not None else None
        nps = round(100 * (promoters - detractors) / answers) if answers >= MIN_GROUP else None
        means.append(mean_shown)
        shown_nps.append(None if nps is None else float(nps))
        if mean_shown is not None:
            shown_means.append(mean_shown)
        rows.append(
            [
                month.strftime("%Y-%m"),
                n,
                "too few to show" if mean_shown is None else mean_shown,
                answers,
                "too few to show" if nps is None else nps,
            ]
        )
    total = sum(n for n, _ in rated.values())
    overall = (
        sum(float(mean) * n for n, mean in rated.values() if mean is not None) / total
        if total >= MIN_GROUP
        else None
    )
    takeaway = (
        f"Meetings were rated {overall:.1f} / 5 on average over {total} ratings"
        if overall is not None
        else f"Fewer than {MIN_GROUP} meeting ratings in this period, too few to show"
    )
    nps_answers = sum(v[0] for v in scores.values())
    if nps_answers >= MIN_GROUP:
        promoters = sum(v[1] for v in scores.values())
        detractors = sum(v[2] for v in scores.values())
        takeaway += (
            f"; the closing survey's NPS is {round(100 * (promoters - detractors) / nps_answers)}."
        )
    else:
        takeaway += "; too few closing surveys for an NPS."
    chart = charts.columns(
        [r[0] for r in rows],
        [("Average rating (of 5)", [m or 0.0 for m in means])],
        title="Average meeting rating per month",
        max_value=5.0,
    )
    return [
        Table(
            "ratings",
            "Average meeting rating and NPS",
            ["Month", "Ratings", "Average rating", "Closing surveys", "NPS"],
            rows,
            takeaway,
            chart,
            note=f"A month's figure is shown from {MIN_GROUP} answers.",
        )
    ]


def _checkins(mentorships: QuerySet[Mentorship], filters: Filters) -> Table:
    counts = list(
        Checkin.objects.filter(
            mentorship__in=mentorships.values("pk"),
            answered_at__gte=filters.since,
            answered_at__lt=filters.until,
        )
        .values("survey", "fit", "comfortable")
        .annotate(n=Count("id"))
        .order_by()
    )
    labels = dict(Checkin.Survey.choices)
    by_survey: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in counts:
        tally = by_survey[row["survey"]]
        tally["answered"] += row["n"]
        if row["comfortable"] is not None:
            tally["comfortable" if row["comfortable"] else "uncomfortable"] += row["n"]
        if row["fit"]:
            tally[f"fit:{row['fit']}"] += row["n"]
    rows = []
    for survey, tally in sorted(by_survey.items()):
        answered = tally["answered"]
        small = answered < MIN_GROUP
        asked = tally["comfortable"] + tally["uncomfortable"]
        rows.append(
            [
                labels.get(survey, survey),
                answered,
                "too few to show" if small or not asked else _pct(tally["comfortable"], asked),
                "too few to show" if small else tally["fit:no"],
            ]
        )
    answered_all = sum(t["answered"] for t in by_survey.values())
    takeaway = (
        f"{answered_all} check-ins were answered in this period."
        if answered_all
        else "No check-in was answered in this period."
    )
    return Table(
        "checkins",
        "Check-in answers",
        ["Survey", "Answers", "Comfortable", "Said “not working”"],
        rows,
        takeaway,
        note=f"Shares are shown from {MIN_GROUP} answers.",
    )


def _goals(mentorships: QuerySet[Mentorship]) -> Table:
    found = Goal.objects.filter(mentorship__in=mentorships.values("pk")).aggregate(
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
        else f"{reached} of {goals} goals are reached ({_pct(reached, goals)})."
    )
    return Table("goals", "Goal progress", ["Figure", "Value"], rows, takeaway)


def _health(programme: Programme, in_scope: set[int], now: dt.datetime) -> tuple[Table, list[Any]]:
    health = programme_health(programme=programme, now=now)
    rows_in = [r for r in health.rows if r.mentorship.pk in in_scope]
    counts: dict[str, int] = defaultdict(int)
    for row in rows_in:
        counts[str(row.health.state)] += 1
    rows: list[list[Any]] = [[LABELS[s], counts.get(str(s), 0)] for s in ORDER]
    total = len(rows_in)
    at_risk = [r for r in rows_in if str(r.health.state) == "at_risk"]
    takeaway = (
        "No open mentorship."
        if not total
        else f"{len(at_risk)} of {total} open mentorships are at risk ({_pct(len(at_risk), total)})."
    )
    chart = charts.bars(
        [(label, n / (total or 1), str(n)) for label, n in rows], title="Relationship health"
    )
    return Table(
        "health", "Relationship health", ["State", "Mentorships"], rows, takeaway, chart
    ), at_risk


def _rematches(programme: Programme, filters: Filters) -> Table:
    counts = dict(
        RematchRequest.objects.filter(
            programme=programme, created_at__gte=filters.since, created_at__lt=filters.until
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


def _endings(pairs: list[tuple[Any, ...]], filters: Filters) -> Table:
    counts: dict[str, int] = defaultdict(int)
    for _, _, _, status, ended_at, reason, _ in pairs:
        if (
            status == Mentorship.Status.ENDED
            and ended_at
            and filters.since <= ended_at < filters.until
        ):
            counts[reason or "other"] += 1
    rows: list[list[Any]] = [
        [label, counts.get(value, 0)] for value, label in Mentorship.EndReason.choices
    ]
    total = sum(counts.values())
    if not total:
        takeaway = "No mentorship ended in this period."
    else:
        value, n = max(counts.items(), key=lambda item: item[1])
        takeaway = (
            f"{total} mentorships ended; the most common reason was "
            f"“{Mentorship.EndReason(value).label}” ({n})."
        )
    chart = charts.bars(
        [(label, n / (total or 1), str(n)) for label, n in rows], title="Ending reasons"
    )
    return Table("endings", "Ending reasons", ["Reason", "Mentorships"], rows, takeaway, chart)
