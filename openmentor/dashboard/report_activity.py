"""The dashboard's tables over time: meetings per week, attendance, ratings and NPS per
month, check-in answers. Weeks and months are counted in SQL as integers (UTC), so the
database groups 100,000 meetings without a Python call per row (core.sqltime)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Avg, Count, Q

from openmentor.core.sqltime import MonthIndex, WeekIndex, month_index, month_start, week_index
from openmentor.core.sqltime import week_start as week_of
from openmentor.dashboard import report_charts as charts
from openmentor.dashboard.report_base import MIN_GROUP, Scope, Table, pct
from openmentor.feedback.models import Checkin, MeetingFeedback
from openmentor.mentorships.models import Activity

TOO_FEW = "too few to show"


def _meeting_counts(scope: Scope) -> dict[tuple[int, str], int]:
    """(week index, "call" | "reported" | "missed") → meetings, in one grouped query."""
    if "meetings" not in scope.memo:
        counts: dict[tuple[int, str], int] = defaultdict(int)
        rows = (
            scope.activities.filter(
                kind__in=[Activity.Kind.MEETING_HELD, Activity.Kind.MEETING_MISSED],
                occurred_at__gte=scope.filters.since,
                occurred_at__lt=scope.filters.until,
            )
            # `source` is the activity's generated column, in the index with the moment.
            .annotate(week=WeekIndex("occurred_at"))
            .values("week", "kind", "source")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("week", "kind", "source", "n")
        )
        for week, kind, source, n in rows:
            if kind == Activity.Kind.MEETING_MISSED:
                counts[(week, "missed")] += n
            else:
                counts[(week, "call" if source == "call" else "reported")] += n
        scope.memo["meetings"] = counts
    found: dict[tuple[int, str], int] = scope.memo["meetings"]
    return found


def _trend(before: int, after: int) -> str:
    if after == before:
        return "the same number as"
    direction = "more" if after > before else "fewer"
    if not before:
        return f"{abs(after - before)} {direction} than"
    return f"{abs(100 * (after - before) / before):.0f} % {direction} than"


def meetings_table(scope: Scope) -> Table:
    counts = _meeting_counts(scope)
    first, last = week_index(scope.filters.start), week_index(scope.filters.end)
    rows: list[list[Any]] = [
        [week_of(week).isoformat(), counts[(week, "call")], counts[(week, "reported")]]
        for week in range(first, last + 1)
    ]
    calls = sum(r[1] for r in rows)
    held = calls + sum(r[2] for r in rows)
    half = len(rows) // 2
    before = sum(r[1] + r[2] for r in rows[:half])
    after = sum(r[1] + r[2] for r in rows[half:])
    takeaway = (
        "No meeting was held in this period."
        if not held
        else f"Pairs held {held} meetings ({pct(calls, held)} by call in OpenMentor); "
        f"the second half of the period had {_trend(before, after)} the first."
    )
    chart = charts.columns(
        [r[0][5:] for r in rows],
        [
            ("In-app calls", [float(r[1]) for r in rows]),
            ("Self-reported", [float(r[2]) for r in rows]),
        ],
        title="Meetings held per week",
    )
    return Table(
        "meetings",
        "Meetings held per week",
        ["Week starting", "In-app calls", "Self-reported"],
        rows,
        takeaway,
        chart,
    )


def attendance_table(scope: Scope) -> Table:
    counts = _meeting_counts(scope)
    missed = sum(n for (_, what), n in counts.items() if what == "missed")
    held = sum(counts.values()) - missed
    return Table(
        "attendance",
        "Attendance",
        ["Figure", "Value"],
        [
            ["Meetings held", held],
            ["Meetings missed", missed],
            ["Attendance", pct(held, held + missed)],
        ],
        (
            "No meeting outcome was recorded in this period."
            if not held + missed
            else f"{pct(held, held + missed)} of the meetings due took place."
        ),
    )


def ratings_table(scope: Scope) -> Table:
    filters = scope.filters
    window = Q(answered_at__gte=filters.since, answered_at__lt=filters.until)
    pairs = scope.mentorships.values("pk")
    rated = {
        month: (n, mean)
        for month, n, mean in MeetingFeedback.objects.filter(
            window, mentorship__in=pairs, rating__isnull=False
        )
        .annotate(month=MonthIndex("answered_at"))
        .values("month")
        .annotate(n=Count("id"), mean=Avg("rating"))
        .order_by()
        .values_list("month", "n", "mean")
    }
    scores = {
        month: (n, promoters, detractors)
        for month, n, promoters, detractors in Checkin.objects.filter(
            window, mentorship__in=pairs, survey=Checkin.Survey.CLOSING, nps__isnull=False
        )
        .annotate(month=MonthIndex("answered_at"))
        .values("month")
        .annotate(
            n=Count("id"),
            promoters=Count("id", filter=Q(nps__gte=9)),
            detractors=Count("id", filter=Q(nps__lte=6)),
        )
        .order_by()
        .values_list("month", "n", "promoters", "detractors")
    }
    rows: list[list[Any]] = []
    means: list[float | None] = []
    for month in range(month_index(filters.start), month_index(filters.end) + 1):
        n, mean = rated.get(month, (0, None))
        answers, promoters, detractors = scores.get(month, (0, 0, 0))
        mean_shown = round(float(mean), 2) if n >= MIN_GROUP and mean is not None else None
        nps = round(100 * (promoters - detractors) / answers) if answers >= MIN_GROUP else None
        means.append(mean_shown)
        rows.append(
            [
                month_start(month).strftime("%Y-%m"),
                n,
                TOO_FEW if mean_shown is None else mean_shown,
                answers,
                TOO_FEW if nps is None else nps,
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
    return Table(
        "ratings",
        "Average meeting rating and NPS",
        ["Month", "Ratings", "Average rating", "Closing surveys", "NPS"],
        rows,
        takeaway,
        chart,
        note=f"A month's figure is shown from {MIN_GROUP} answers.",
    )


def checkins_table(scope: Scope) -> Table:
    counts = (
        Checkin.objects.filter(
            mentorship__in=scope.mentorships.values("pk"),
            answered_at__gte=scope.filters.since,
            answered_at__lt=scope.filters.until,
        )
        .values("survey", "fit", "comfortable")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("survey", "fit", "comfortable", "n")
    )
    labels = dict(Checkin.Survey.choices)
    by_survey: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for survey, fit, comfortable, n in counts:
        tally = by_survey[survey]
        tally["answered"] += n
        if comfortable is not None:
            tally["comfortable" if comfortable else "uncomfortable"] += n
        if fit:
            tally[f"fit:{fit}"] += n
    rows = []
    for survey, tally in sorted(by_survey.items()):
        answered = tally["answered"]
        small = answered < MIN_GROUP
        asked = tally["comfortable"] + tally["uncomfortable"]
        rows.append(
            [
                labels.get(survey, survey),
                answered,
                TOO_FEW if small or not asked else pct(tally["comfortable"], asked),
                TOO_FEW if small else tally["fit:no"],
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
