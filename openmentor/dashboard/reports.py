"""Reports: reads across the domain apps that managers look at, never one person's answer.

The people report (self-identification, group sizes as ranges) and the matching outcomes
report (match score against early endings and feedback) live here, above the apps they
read, so neither feedback nor matching has to import the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from openmentor.core.charts import Bar, bar_chart
from openmentor.feedback.selectors import mentorship_mean_ratings
from openmentor.matching.selectors import BANDS, EARLY_DAYS
from openmentor.mentorships.models import Mentorship
from openmentor.organisations.models import Organisation
from openmentor.people.selectors import self_identification_counts, size_range
from openmentor.programmes.models import Enrolment, Programme

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


# --- matching outcomes ---------------------------------------------------------------

# The feedback app plugs in here: a function from a programme to {mentorship id: mean
# rating 1-5}. None means no feedback is collected.
FeedbackRatings = Callable[[Programme], dict[int, float]]
feedback_ratings_provider: FeedbackRatings | None = mentorship_mean_ratings
# A band's mean rating is shown only over this many rated mentorships: fewer would let a
# manager read one pair's rating (docs/decisions/0003).
RATINGS_SHOWN_FROM = 5


@dataclass
class OutcomeBand:
    label: str
    mentorships: int = 0
    ended_early: int = 0
    early_by_reason: dict[str, int] = field(default_factory=dict)
    ratings: list[float] = field(default_factory=list)

    @property
    def early_rate(self) -> float | None:
        return self.ended_early / self.mentorships if self.mentorships else None

    @property
    def mean_rating(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    @property
    def shown_rating(self) -> float | None:
        """The mean rating as a manager may see it: none under RATINGS_SHOWN_FROM."""
        return self.mean_rating if len(self.ratings) >= RATINGS_SHOWN_FROM else None


@dataclass
class Outcomes:
    bands: list[OutcomeBand]
    total: int
    feedback_collected: bool
    reasons: list[tuple[str, str]]
    early_chart: str = ""
    rating_chart: str = ""


def matching_outcomes(*, programme: Programme, now: dt.datetime | None = None) -> Outcomes:
    """Match score band against early endings (within 90 days, by reason) and feedback.

    One query for the mentorships (plus whatever the feedback provider needs).
    """
    bands = [OutcomeBand(label=label) for label, _, _ in BANDS]
    rows = Mentorship.objects.filter(programme=programme, match_score__isnull=False).values_list(
        "pk", "match_score", "status", "created_at", "started_at", "ended_at", "end_reason"
    )
    ratings = feedback_ratings_provider(programme) if feedback_ratings_provider else None
    total = 0
    for pk, score, status, created_at, started_at, ended_at, end_reason in rows:
        value = float(score or 0.0)
        band = next(b for b, (_, lo, hi) in zip(bands, BANDS, strict=True) if lo <= value < hi)
        band.mentorships += 1
        total += 1
        began = started_at or created_at
        if (
            status == Mentorship.Status.ENDED
            and ended_at
            and ended_at - began <= dt.timedelta(days=EARLY_DAYS)
        ):
            band.ended_early += 1
            key = end_reason or "other"
            band.early_by_reason[key] = band.early_by_reason.get(key, 0) + 1
        if ratings and pk in ratings:
            band.ratings.append(ratings[pk])
    for band in bands:
        if band.ended_early < 5:
            # Too few to show why without pointing at a pair (docs/decisions/0003).
            band.early_by_reason = {}
    outcomes = Outcomes(
        bands=bands,
        total=total,
        feedback_collected=bool(ratings),
        reasons=list(Mentorship.EndReason.choices),
    )
    top_rate = max((b.early_rate or 0.0 for b in bands), default=0.0)
    outcomes.early_chart = bar_chart(
        [
            Bar(
                label=b.label,
                value=b.early_rate,
                text="no matches" if b.early_rate is None else "",
                tone="flag",
            )
            for b in bands
        ],
        title="Share of mentorships that ended within 90 days, by match score",
        max_value=max(top_rate, 0.1),
    )
    if outcomes.feedback_collected:
        outcomes.rating_chart = bar_chart(
            [
                Bar(
                    label=b.label,
                    value=b.shown_rating,
                    text=(
                        "too few to show" if b.shown_rating is None else f"{b.shown_rating:.1f} / 5"
                    ),
                )
                for b in bands
            ],
            title="Mean feedback rating, by match score",
            max_value=5.0,
        )
    return outcomes
