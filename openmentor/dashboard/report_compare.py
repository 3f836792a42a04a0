"""Side by side: the cohorts of one programme, and the organisation's programmes (the
owner's overview). The same figures for each, grouped in SQL, a few queries whatever the
number of people, meetings or programmes; a mean rating only over `MIN_GROUP` ratings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, ExpressionWrapper, IntegerField, Q, Sum

from openmentor.core.sqltime import MonthIndex
from openmentor.dashboard import report_charts as charts
from openmentor.dashboard.models import HealthSnapshot
from openmentor.dashboard.report_base import MIN_GROUP, SIGNED_UP, Filters, Scope, Table, pct
from openmentor.feedback.models import MeetingFeedback
from openmentor.mentorships.models import Activity, Mentorship
from openmentor.organisations.models import Organisation
from openmentor.programmes.models import Enrolment, Programme

HELD, MISSED = Activity.Kind.MEETING_HELD, Activity.Kind.MEETING_MISSED
MENTEE = Q(role=Enrolment.Role.MENTEE)


@dataclass
class Figures:
    people: int = 0
    mentees: int = 0
    matched: int = 0
    pairs: int = 0
    open_pairs: int = 0
    held: int = 0
    missed: int = 0
    ratings: int = 0
    rating_total: int = 0
    at_risk: int | None = None


FIGURES = [
    "People signed up",
    "Mentees",
    "Match rate",
    "Open mentorships",
    "At risk",
    "Meetings held",
    "Meetings per mentorship",
    "Attendance",
    "Average meeting rating",
]


def _column(f: Figures) -> list[Any]:
    rating = round(f.rating_total / f.ratings, 1) if f.ratings >= MIN_GROUP else "too few to show"
    return [
        f.people,
        f.mentees,
        pct(f.matched, f.mentees),
        f.open_pairs,
        "—" if f.at_risk is None else f.at_risk,
        f.held,
        f"{f.held / f.pairs:.1f}" if f.pairs else "—",
        pct(f.held, f.held + f.missed),
        rating,
    ]


def _side_by_side(
    key: str, title: str, heading: str, groups: list[tuple[str, Figures]], note: str
) -> Table:
    columns = [_column(f) for _, f in groups]
    rows = [[figure, *(column[i] for column in columns)] for i, figure in enumerate(FIGURES)]
    rated = [(label, f.matched / f.mentees) for label, f in groups if f.mentees]
    if len(rated) < 2:
        takeaway = f"Only one {heading.lower()} has mentees so far: nothing to compare yet."
        if not rated:
            takeaway = "No mentee has signed up yet."
    else:
        low = min(rated, key=lambda item: item[1])
        high = max(rated, key=lambda item: item[1])
        takeaway = (
            f"The match rate runs from {100 * low[1]:.0f} % ({low[0]}) "
            f"to {100 * high[1]:.0f} % ({high[0]})."
        )
    chart = charts.bars(
        [
            (label, f.matched / f.mentees if f.mentees else 0.0, pct(f.matched, f.mentees))
            for label, f in groups
        ],
        title=f"Match rate by {heading.lower()}",
    )
    return Table(
        key, title, [heading, *(label for label, _ in groups)], rows, takeaway, chart, note
    )


def _period(filters: Filters) -> Q:
    return Q(occurred_at__gte=filters.since, occurred_at__lt=filters.until)


def _add(found: dict[Any, Figures], rows: Iterable[tuple[Any, ...]], name: str) -> None:
    for group, n in rows:
        setattr(found[group], name, getattr(found[group], name) + (n or 0))


def _quarter_label(index: int) -> str:
    return f"{index // 4}-Q{index % 4 + 1}"


def cohorts_table(scope: Scope) -> Table:
    """Every cohort of the programme side by side (whatever the cohort filter); the date
    range bounds the meetings and ratings counted."""
    programme, filters = scope.programme, scope.filters
    quarter = ExpressionWrapper(MonthIndex("created_at") / 3, output_field=IntegerField())
    enrolments = Enrolment.objects.filter(programme=programme, status__in=SIGNED_UP).annotate(
        cohort=quarter
    )
    found: dict[Any, Figures] = defaultdict(Figures)
    for cohort, people, mentees, matched in (
        enrolments.values("cohort")
        .annotate(
            people=Count("user_id", distinct=True),
            mentees=Count("pk", filter=MENTEE),
            matched=Count("pk", filter=MENTEE & Q(matched_at__isnull=False)),
        )
        .order_by()
        .values_list("cohort", "people", "mentees", "matched")
    ):
        found[cohort] = Figures(people=people, mentees=mentees, matched=matched)
    # A mentorship is its mentee's cohort: the mentee → cohort map is read once (ints).
    cohort_of = dict(enrolments.filter(MENTEE).values_list("user_id", "cohort"))

    def by_cohort(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return [(cohort_of[m], *rest) for m, *rest in rows if m in cohort_of]

    pairs = Mentorship.objects.filter(programme=programme)
    for cohort, status, n in by_cohort(
        pairs.values("mentee_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("mentee_id", "status", "n")
    ):
        found[cohort].pairs += n
        found[cohort].open_pairs += 0 if status == Mentorship.Status.ENDED else n
    for cohort, kind, n in by_cohort(
        Activity.objects.filter(_period(filters), programme=programme, kind__in=[HELD, MISSED])
        .values("mentorship__mentee_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("mentorship__mentee_id", "kind", "n")
    ):
        _add(found, [(cohort, n)], "held" if kind == HELD else "missed")
    for cohort, n, total in by_cohort(
        MeetingFeedback.objects.filter(
            mentorship__programme=programme,
            rating__isnull=False,
            answered_at__gte=filters.since,
            answered_at__lt=filters.until,
        )
        .values("mentorship__mentee_id")
        .annotate(n=Count("pk"), total=Sum("rating"))
        .order_by()
        .values_list("mentorship__mentee_id", "n", "total")
    ):
        found[cohort].ratings += n
        found[cohort].rating_total += total or 0
    for cohort, n in by_cohort(
        HealthSnapshot.objects.filter(programme=programme)
        .exclude(mentorship__status=Mentorship.Status.ENDED)
        .values("mentorship__mentee_id")
        .annotate(n=Count("pk", filter=Q(state="at_risk")))
        .order_by()
        .values_list("mentorship__mentee_id", "n")
    ):
        found[cohort].at_risk = (found[cohort].at_risk or 0) + n
    groups = [(_quarter_label(c), found[c]) for c in sorted(found)]
    return _side_by_side(
        "cohorts",
        "Cohorts side by side",
        "Cohort",
        groups,
        "Every cohort (the quarter its people enrolled in) whatever the cohort filter; "
        "meetings and ratings in the date range; at risk as last assessed (every ten "
        f"minutes); a rating is shown from {MIN_GROUP}.",
    )


def programmes_table(*, organisation: Organisation, filters: Filters) -> Table:
    """The owner's overview: every programme of the organisation side by side. At risk is
    read from the health snapshot (refreshed every ten minutes)."""
    programmes = list(
        Programme.objects.filter(organisation=organisation)
        .order_by("name")
        .values_list("pk", "name")
    )
    ids = [pk for pk, _ in programmes]
    found: dict[Any, Figures] = defaultdict(Figures)
    for pk, people, mentees, matched in (
        Enrolment.objects.filter(programme_id__in=ids, status__in=SIGNED_UP)
        .values("programme_id")
        .annotate(
            people=Count("user_id", distinct=True),
            mentees=Count("pk", filter=MENTEE),
            matched=Count("pk", filter=MENTEE & Q(matched_at__isnull=False)),
        )
        .order_by()
        .values_list("programme_id", "people", "mentees", "matched")
    ):
        found[pk] = Figures(people=people, mentees=mentees, matched=matched)
    for pk, pairs, open_pairs in (
        Mentorship.objects.filter(programme_id__in=ids)
        .values("programme_id")
        .annotate(
            pairs=Count("pk"), open_pairs=Count("pk", filter=~Q(status=Mentorship.Status.ENDED))
        )
        .order_by()
        .values_list("programme_id", "pairs", "open_pairs")
    ):
        found[pk].pairs, found[pk].open_pairs = pairs, open_pairs
    for pk, kind, n in (
        Activity.objects.filter(_period(filters), programme_id__in=ids, kind__in=[HELD, MISSED])
        .values("programme_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("programme_id", "kind", "n")
    ):
        _add(found, [(pk, n)], "held" if kind == HELD else "missed")
    for pk, n, total in (
        MeetingFeedback.objects.filter(
            mentorship__programme_id__in=ids,
            rating__isnull=False,
            answered_at__gte=filters.since,
            answered_at__lt=filters.until,
        )
        .values("mentorship__programme_id")
        .annotate(n=Count("pk"), total=Sum("rating"))
        .order_by()
        .values_list("mentorship__programme_id", "n", "total")
    ):
        found[pk].ratings, found[pk].rating_total = n, total or 0
    for pk, n in (
        HealthSnapshot.objects.filter(programme_id__in=ids)
        .exclude(mentorship__status=Mentorship.Status.ENDED)
        .values("programme_id")
        .annotate(n=Count("pk", filter=Q(state="at_risk")))
        .order_by()
        .values_list("programme_id", "n")
    ):
        found[pk].at_risk = n
    return _side_by_side(
        "programmes",
        "Programmes side by side",
        "Programme",
        [(name, found[pk]) for pk, name in programmes],
        "Meetings and ratings in the date range; at risk as last assessed (every ten "
        f"minutes, — before the first assessment); a rating is shown from {MIN_GROUP}.",
    )
