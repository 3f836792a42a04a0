"""Mentorships, their meetings, feedback aggregates and matching runs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from django.db import transaction
from django.db.models import Avg, Count, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import field_validator

from openmentor.api.auth import scoped, token_of
from openmentor.api.errors import ERRORS
from openmentor.api.pagination import filtered_page
from openmentor.api.resources.common import PageQuery, PathId
from openmentor.feedback.models import MentorshipRating
from openmentor.matching.models import MatchingRun
from openmentor.matching.services.runs import matching_run_start
from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Mentorship
from openmentor.programmes.models import Programme

router = Router()

ID = Field(None, ge=1, le=2**62)
# Means over fewer ratings than this are withheld: one person's rating must not be read
# off an aggregate (the same floor as the reports).
MIN_RATINGS = 5


class MentorshipOut(Schema):
    id: int
    programme_id: int
    mentor_id: int
    mentee_id: int
    status: str
    source: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    end_reason: str
    match_score: float | None


class MentorshipPage(Schema):
    items: list[MentorshipOut]
    next_cursor: str | None


class MentorshipFilters(PageQuery):
    programme_id: int | None = ID
    participant_id: int | None = ID
    status: Literal["proposed", "active", "paused", "ended"] | None = None


def _mentorships(request: HttpRequest) -> QuerySet[Mentorship]:
    # The API's mentorship is a pair (mentor_id and mentee_id); circles are not served yet.
    return Mentorship.objects.filter(
        programme__organisation=token_of(request).organisation, kind=Mentorship.Kind.PAIR
    )


@router.get(
    "/mentorships",
    response={200: MentorshipPage, **ERRORS},
    auth=scoped("mentorships:read"),
    summary="List mentorships",
)
def mentorship_list(request: HttpRequest, filters: Query[MentorshipFilters]) -> dict[str, Any]:
    queryset = _mentorships(request)
    if filters.programme_id:
        queryset = queryset.filter(programme_id=filters.programme_id)
    if filters.participant_id:
        queryset = queryset.filter(mentor_id=filters.participant_id) | queryset.filter(
            mentee_id=filters.participant_id
        )
    return filtered_page(queryset, filters, status="status")


@router.get(
    "/mentorships/{mentorship_id}",
    response={200: MentorshipOut, **ERRORS},
    auth=scoped("mentorships:read"),
    summary="Get a mentorship",
)
def mentorship_get(request: HttpRequest, mentorship_id: PathId) -> Mentorship:
    return get_object_or_404(_mentorships(request), pk=mentorship_id)


# --- meetings -------------------------------------------------------------------------


class MeetingOut(Schema):
    """A meeting's time and state; where it happens (a link, a place) stays with the pair."""

    id: int
    mentorship_id: int
    starts_at: dt.datetime
    duration_minutes: int
    status: str
    created_at: dt.datetime
    cancelled_at: dt.datetime | None


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: str | None


ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


class MeetingFilters(PageQuery):
    mentorship_id: int | None = ID
    status: Literal["proposed", "accepted", "declined", "cancelled"] | None = None
    starts_after: dt.datetime | None = None
    starts_before: dt.datetime | None = None

    @field_validator("starts_after", "starts_before", mode="before")
    @classmethod
    def _iso_only(cls, value: object) -> object:
        # RFC 3339 date-times only, as the schema says (pydantic would also take a number
        # of seconds).
        if value is not None and not (isinstance(value, str) and ISO_DATETIME.match(value)):
            raise ValueError("Give a date and time such as 2027-01-31T09:00:00Z.")
        return value

    @field_validator("starts_after", "starts_before")
    @classmethod
    def _in_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        # Compared in UTC: PostgreSQL refuses offsets past ±15:59, which ISO 8601 allows;
        # a time without an offset is read as UTC.
        if value is None:
            return None
        try:
            if value.tzinfo is None:
                return value.replace(tzinfo=dt.UTC)
            return value.astimezone(dt.UTC)
        except OverflowError as error:
            raise ValueError("The time is out of range.") from error


def _meetings(request: HttpRequest) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        mentorship__programme__organisation=token_of(request).organisation
    )


@router.get(
    "/meetings",
    response={200: MeetingPage, **ERRORS},
    auth=scoped("meetings:read"),
    summary="List meetings",
)
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]) -> dict[str, Any]:
    return filtered_page(
        _meetings(request),
        filters,
        mentorship_id="mentorship_id",
        status="status",
        starts_after="starts_at__gte",
        starts_before="starts_at__lt",
    )


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, **ERRORS},
    auth=scoped("meetings:read"),
    summary="Get a meeting",
)
def meeting_get(request: HttpRequest, meeting_id: PathId) -> Meeting:
    return get_object_or_404(_meetings(request), pk=meeting_id)


# --- feedback aggregates --------------------------------------------------------------


class RatingAggregate(Schema):
    ratings: int = Field(..., description="How many ratings were given.")
    mean: float | None = Field(
        ..., description=f"Mean rating 1-5; null under {MIN_RATINGS} ratings (privacy)."
    )


class FeedbackOut(Schema):
    programme_id: int
    checkin: RatingAggregate
    ending: RatingAggregate


@router.get(
    "/programmes/{programme_id}/feedback",
    response={200: FeedbackOut, **ERRORS},
    auth=scoped("feedback:read"),
    summary="Feedback aggregates of a programme",
)
def feedback_get(request: HttpRequest, programme_id: PathId) -> FeedbackOut:
    programme = get_object_or_404(
        Programme, organisation=token_of(request).organisation, pk=programme_id
    )
    rows = {
        row["moment"]: row
        for row in MentorshipRating.objects.filter(mentorship__programme=programme)
        .values("moment")
        .annotate(n=Count("id"), mean=Avg("rating"))
        .order_by()
    }

    def aggregate(moment: str) -> RatingAggregate:
        row: dict[str, Any] = rows.get(moment, {"n": 0, "mean": None})
        shown = row["mean"] is not None and row["n"] >= MIN_RATINGS
        return RatingAggregate(
            ratings=row["n"], mean=round(float(row["mean"]), 2) if shown else None
        )

    return FeedbackOut(
        programme_id=programme.pk, checkin=aggregate("checkin"), ending=aggregate("ending")
    )


# --- matching runs --------------------------------------------------------------------


class MatchingRunOut(Schema):
    id: int
    programme_id: int
    status: str
    progress: float
    stage: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    published_at: dt.datetime | None
    error: str


class MatchingRunPage(Schema):
    items: list[MatchingRunOut]
    next_cursor: str | None


class MatchingRunFilters(PageQuery):
    programme_id: int | None = ID
    status: Literal["queued", "running", "done", "failed", "published", "superseded"] | None = None


def _runs(request: HttpRequest) -> QuerySet[MatchingRun]:
    return MatchingRun.objects.filter(programme__organisation=token_of(request).organisation).defer(
        "snapshot", "result"
    )


@router.get(
    "/matching-runs",
    response={200: MatchingRunPage, **ERRORS},
    auth=scoped("matching_runs:read"),
    summary="List matching runs",
)
def matching_run_list(request: HttpRequest, filters: Query[MatchingRunFilters]) -> dict[str, Any]:
    return filtered_page(_runs(request), filters, programme_id="programme_id", status="status")


@router.get(
    "/matching-runs/{run_id}",
    response={200: MatchingRunOut, **ERRORS},
    auth=scoped("matching_runs:read"),
    summary="Get a matching run",
)
def matching_run_get(request: HttpRequest, run_id: PathId) -> MatchingRun:
    return get_object_or_404(_runs(request), pk=run_id)


@router.post(
    "/programmes/{programme_id}/matching-runs",
    response={202: MatchingRunOut, **ERRORS},
    auth=scoped("matching_runs:write"),
    summary="Start a matching run (it runs in the background)",
)
def matching_run_post(request: HttpRequest, programme_id: PathId) -> Status[MatchingRun]:
    token = token_of(request)
    programme = get_object_or_404(Programme, organisation=token.organisation, pk=programme_id)
    with transaction.atomic():
        run = matching_run_start(programme=programme, actor=token.membership)
    return Status(202, run)
