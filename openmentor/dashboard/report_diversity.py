"""Diversity and inclusion: participation, match rate, meetings and ratings by
self-identified group, with impact ratios beside them.

Privacy (docs/decisions/0003): self-identification is grouped in SQL and never reaches
Python one person at a time; every listed answer has a row, so "fewer than 5" does not
tell that someone gave it; a group's figures are shown only from `MIN_GROUP` people, its
size as a range, rates to the nearest 5 %, a mean rating only over `MIN_GROUP` ratings.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from openmentor.dashboard import report_charts as charts
from openmentor.dashboard.report_base import MIN_GROUP, Scope, Table
from openmentor.feedback.models import MeetingFeedback
from openmentor.matching.engine.fairness import FOUR_FIFTHS
from openmentor.matching.models import MatchingRun
from openmentor.mentorships.models import Activity
from openmentor.people.models import SelfIdentification
from openmentor.people.selectors import size_range
from openmentor.people.services import SELF_IDENTIFICATION_CHOICES
from openmentor.programmes.models import Enrolment

ATTRIBUTES = {
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "age_band": "Age",
    "disability": "Disability",
}
TOO_FEW = "fewer than 5: not shown"


def _nearest_5(share: float) -> str:
    return f"{5 * round(20 * share):.0f} %"


def _audit_ratios(scope: Scope) -> dict[str, float | None]:
    """The latest finished matching run's impact ratio per attribute (one query, shared)."""
    if "audit" not in scope.memo:
        run = (
            MatchingRun.objects.filter(
                programme=scope.programme,
                status__in=[MatchingRun.Status.DONE, MatchingRun.Status.PUBLISHED],
            )
            .order_by("-finished_at", "-pk")
            .values_list("result", flat=True)
            .first()
        )
        fairness = (run or {}).get("fairness") or {}
        scope.memo["audit"] = {
            attribute: (audit or {}).get("disparate_impact")
            for attribute, audit in fairness.items()
        }
    found: dict[str, float | None] = scope.memo["audit"]
    return found


def diversity_table(scope: Scope, attribute: str) -> Table:
    name = ATTRIBUTES[attribute]
    organisation_id = scope.programme.organisation_id

    def group_of(user: str) -> Subquery:
        return Subquery(
            SelfIdentification.objects.filter(
                organisation_id=organisation_id, user_id=OuterRef(user)
            ).values(attribute)[:1]
        )

    window = Q(occurred_at__gte=scope.filters.since, occurred_at__lt=scope.filters.until)
    held = (
        Activity.objects.filter(
            window,
            programme=scope.programme,
            kind=Activity.Kind.MEETING_HELD,
            mentorship__mentee_id=OuterRef("user_id"),
        )
        .order_by()
        .values("mentorship__mentee_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    people = {
        group: (n, mentees, matched, meetings or 0)
        for group, n, mentees, matched, meetings in scope.enrolments.annotate(
            group=group_of("user_id"),
            held=Coalesce(Subquery(held), Value(0), output_field=IntegerField()),
        )
        .values("group")
        .annotate(
            n=Count("user_id", distinct=True),
            mentees=Count("pk", filter=Q(role=Enrolment.Role.MENTEE)),
            matched=Count("pk", filter=Q(role=Enrolment.Role.MENTEE, matched_at__isnull=False)),
            meetings=Sum("held", filter=Q(role=Enrolment.Role.MENTEE)),
        )
        .order_by()
        .values_list("group", "n", "mentees", "matched", "meetings")
    }
    ratings = {
        group: (n, mean)
        for group, n, mean in MeetingFeedback.objects.filter(
            mentorship__in=scope.mentorships.values("pk"),
            rating__isnull=False,
            answered_at__gte=scope.filters.since,
            answered_at__lt=scope.filters.until,
        )
        .annotate(group=group_of("author_id"))
        .values("group")
        .annotate(n=Count("pk"), mean=Avg("rating"))
        .order_by()
        .values_list("group", "n", "mean")
    }
    rows: list[list[Any]] = []
    rates: list[tuple[str, float]] = []
    bars: list[tuple[str, float, str]] = []
    for value, label in SELF_IDENTIFICATION_CHOICES.get(attribute, []):
        n, mentees, matched, meetings = people.get(value, (0, 0, 0, 0))
        if n < MIN_GROUP:
            rows.append([label, TOO_FEW, "—", "—", "—"])
            bars.append((label, 0.0, "fewer than 5"))
            continue
        rate = matched / mentees if mentees >= MIN_GROUP else None
        rated, mean = ratings.get(value, (0, None))
        rows.append(
            [
                label,
                size_range(n)[0],
                _nearest_5(rate) if rate is not None else "too few mentees",
                f"{round(2 * meetings / matched) / 2:g}" if matched >= MIN_GROUP else "—",
                f"{float(mean):.1f}" if rated >= MIN_GROUP and mean is not None else "—",
            ]
        )
        if rate is not None:
            rates.append((label, rate))
        bars.append((label, rate or 0.0, _nearest_5(rate) if rate is not None else "—"))
    ratio = (
        min(r for _, r in rates) / max(r for _, r in rates)
        if len(rates) >= 2 and max(r for _, r in rates) > 0
        else None
    )
    audit = _audit_ratios(scope).get(attribute)
    rows.append(
        ["Impact ratio of match rates", "—" if ratio is None else f"{ratio:.2f}", "", "", ""]
    )
    rows.append(
        [
            "Matching fairness audit (latest run)",
            "—" if audit is None else f"{audit:.2f}",
            "",
            "",
            "",
        ]
    )
    if ratio is None:
        takeaway = f"Too few groups of {MIN_GROUP} or more mentees by {name.lower()} to compare."
    else:
        low = min(rates, key=lambda item: item[1])[0]
        verdict = "under" if ratio < FOUR_FIFTHS else "within"
        takeaway = (
            f"By {name.lower()}, the lowest match rate ({low}) is {ratio:.2f} of the highest: "
            f"{verdict} the four-fifths rule."
        )
    return Table(
        f"diversity_{attribute}",
        f"By {name.lower()}",
        [
            "Group",
            "People (range)",
            "Match rate",
            "Meetings per matched mentee",
            "Average rating given",
        ],
        rows,
        takeaway,
        charts.bars(bars, title=f"Match rate by {name.lower()}"),
        note=(
            f"Groups under {MIN_GROUP} are not shown; rates to the nearest 5 %; meetings held "
            "in the date range; ratings given by the group's members."
        ),
    )


DIVERSITY_BUILDERS: dict[str, Callable[[Scope], Table]] = {
    f"diversity_{attribute}": partial(diversity_table, attribute=attribute)
    for attribute in ATTRIBUTES
}
