"""Reads of survey answers: a person's own, or aggregates over a programme."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count
from django.shortcuts import get_object_or_404

from openmentor.feedback.models import Checkin, MeetingFeedback
from openmentor.organisations.models import Membership
from openmentor.programmes.models import Programme

# Fewer ratings than this and an average could point at one person's answer.
AGGREGATE_FROM = 5


def own_meeting_feedback(*, membership: Membership, feedback_id: int) -> MeetingFeedback:
    """The person's own question about a meeting in this organisation, or 404 (someone
    else's looks the same as none)."""
    return get_object_or_404(
        MeetingFeedback.objects.select_related(
            "meeting", "mentorship__mentor", "mentorship__mentee", "mentorship__programme"
        ),
        pk=feedback_id,
        author=membership.user,
        mentorship__programme__organisation=membership.organisation,
    )


def own_checkin(*, membership: Membership, checkin_id: int) -> Checkin:
    return get_object_or_404(
        Checkin.objects.select_related(
            "mentorship__mentor", "mentorship__mentee", "mentorship__programme"
        ),
        pk=checkin_id,
        author=membership.user,
        mentorship__programme__organisation=membership.organisation,
    )


def open_checkins(*, membership: Membership) -> list[Checkin]:
    return list(
        Checkin.objects.filter(
            author=membership.user,
            answered_at__isnull=True,
            mentorship__programme__organisation=membership.organisation,
        ).select_related("mentorship")
    )


@dataclass(frozen=True)
class Aggregate:
    count: int
    mean: float | None
    minimum: int = AGGREGATE_FROM

    @property
    def shown(self) -> bool:
        return self.count >= self.minimum


def meeting_rating_aggregate(*, programme: Programme) -> Aggregate:
    """The programme's meeting ratings as one average, only from AGGREGATE_FROM ratings."""
    row = MeetingFeedback.objects.filter(
        mentorship__programme=programme, rating__isnull=False
    ).aggregate(n=Count("pk"), mean=Avg("rating"))
    count = int(row["n"] or 0)
    mean = (
        round(float(row["mean"]), 1)
        if row["mean"] is not None and count >= AGGREGATE_FROM
        else None
    )
    return Aggregate(count=count, mean=mean)
