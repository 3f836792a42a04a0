"""Reads of feedback, always scoped to one organisation (and, for a rating, to its
author). The reports built on them live in the dashboard app."""

from __future__ import annotations

from django.db.models import Avg

from openmentor.accounts.models import User
from openmentor.feedback.models import MentorshipRating
from openmentor.mentorships.models import Mentorship
from openmentor.programmes.models import Programme

# --- ratings --------------------------------------------------------------------------


def own_rating(*, mentorship: Mentorship, author: User, moment: str) -> MentorshipRating | None:
    """The person's own rating. Only ever call this with the logged-in person as `author`."""
    return MentorshipRating.objects.filter(
        mentorship=mentorship, author=author, moment=moment
    ).first()


def mentorship_mean_ratings(programme: Programme) -> dict[int, float]:
    """{mentorship id: mean of its ratings} for the programme's mentorships, in one query.

    The matching outcomes report's feedback provider (dashboard.reports): it only ever shows means over a
    score band of at least 5 rated mentorships, never one mentorship's figure.
    """
    rows = (
        MentorshipRating.objects.filter(mentorship__programme=programme)
        .values("mentorship_id")
        .annotate(mean=Avg("rating"))
        .order_by()
    )
    return {row["mentorship_id"]: float(row["mean"]) for row in rows}
