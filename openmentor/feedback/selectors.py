"""Reads of feedback and of the aggregate people report, always scoped to one
organisation (and, for a rating, to its author)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg

from openmentor.accounts.models import User
from openmentor.feedback.models import MentorshipRating
from openmentor.matching.charts import Bar, bar_chart
from openmentor.mentorships.models import Mentorship
from openmentor.organisations.models import Organisation
from openmentor.people.selectors import self_identification_counts, size_range
from openmentor.programmes.models import Enrolment, Programme

# --- ratings --------------------------------------------------------------------------


def own_rating(*, mentorship: Mentorship, author: User, moment: str) -> MentorshipRating | None:
    """The person's own rating. Only ever call this with the logged-in person as `author`."""
    return MentorshipRating.objects.filter(
        mentorship=mentorship, author=author, moment=moment
    ).first()


def mentorship_mean_ratings(programme: Programme) -> dict[int, float]:
    """{mentorship id: mean of its ratings} for the programme's mentorships, in one query.

    The matching outcomes report's feedback provider: it only ever shows means over a
    score band of at least 5 rated mentorships, never one mentorship's figure.
    """
    rows = (
        MentorshipRating.objects.filter(mentorship__programme=programme)
        .values("mentorship_id")
        .annotate(mean=Avg("rating"))
        .order_by()
    )
    return {row["mentorship_id"]: float(row["mean"]) for row in rows}


# --- self-identification report ---------------------------------------------------------

ATTRIBUTE_NAMES = {
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "age_band": "Age",
    "disability": "Disability",
}


@dataclass
class ReportGroup:
    label: str
    size: str  # a range such as "10–19", or "fewer than 5"
    shown: bool


@dataclass
class ReportAttribute:
    name: str
    groups: list[ReportGroup] = field(default_factory=list)
    chart: str = ""


def programme_people_ids(*, programme: Programme) -> set[int]:
    """The people taking part in the programme (active or awaiting approval)."""
    return set(
        Enrolment.objects.filter(
            programme=programme, status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.PENDING]
        ).values_list("user_id", flat=True)
    )


def self_identification_report(
    *, organisation: Organisation, programme: Programme | None = None
) -> list[ReportAttribute]:
    """Per attribute, each answer's group size as a range; groups under 5 say so.

    Every listed answer appears, answered by nobody or by many, so a "fewer than 5" row
    does not reveal that someone gave that answer. `programme` must be the organisation's
    (the view takes it from a choice of the organisation's programmes).
    """
    from openmentor.people.services import SELF_IDENTIFICATION_CHOICES

    user_ids = None if programme is None else programme_people_ids(programme=programme)
    counts = self_identification_counts(organisation=organisation, user_ids=user_ids)
    report = []
    for attribute, name in ATTRIBUTE_NAMES.items():
        given = counts.get(attribute, {})
        item = ReportAttribute(name=name)
        bars = []
        for value, label in SELF_IDENTIFICATION_CHOICES.get(attribute, []):
            count = given.get(value, 0)
            size, low = size_range(count if isinstance(count, int) else 0)
            shown = low > 0
            item.groups.append(ReportGroup(label=label, size=size, shown=shown))
            bars.append(Bar(label=label, value=float(low) if shown else None, text=size))
        top = max((b.value or 0.0 for b in bars), default=0.0)
        item.chart = bar_chart(
            bars, title=f"People by {name.lower()} (group sizes as ranges)", max_value=top or 1.0
        )
        report.append(item)
    return report
