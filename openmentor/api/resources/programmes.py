"""Programmes, their enrolments and the participants of the organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from openmentor.api.auth import scoped, token_of
from openmentor.api.errors import ERRORS, ApiError
from openmentor.api.pagination import cursor_page, filtered_page
from openmentor.api.resources.common import PageQuery, PathId
from openmentor.organisations.models import Membership
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from openmentor.programmes.services.enrolment import enrolment_decide
from openmentor.programmes.services.lifecycle import programme_create

router = Router()

ProgrammeKind = Literal["one_to_one", "group", "peer", "reverse"]
ProgrammeStatus = Literal["draft", "enrolling", "matching", "running", "closed"]


class ProgrammeOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    kind: str
    status: str
    evergreen: bool
    starts_on: dt.date | None
    ends_on: dt.date | None
    mentors_per_mentee: int
    default_mentor_capacity: int
    matching_mode: str
    cadence_weeks: int
    session_minutes: int
    requires_approval: bool
    created_at: dt.datetime


class ProgrammePage(Schema):
    items: list[ProgrammeOut]
    next_cursor: str | None


class ProgrammeFilters(PageQuery):
    status: ProgrammeStatus | None = None


class ProgrammeIn(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    description: str = Field("", max_length=5000)
    kind: ProgrammeKind = "one_to_one"
    evergreen: bool = False
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    mentors_per_mentee: int = Field(1, ge=1, le=3)
    default_mentor_capacity: int = Field(2, ge=1, le=20)
    cadence_weeks: int = Field(2, ge=1, le=12)
    session_minutes: int = Field(30, ge=15, le=240)
    requires_approval: bool = False


@router.get(
    "/programmes",
    response={200: ProgrammePage, **ERRORS},
    auth=scoped("programmes:read"),
    summary="List programmes",
)
def programme_list(request: HttpRequest, filters: Query[ProgrammeFilters]) -> dict[str, Any]:
    queryset = Programme.objects.filter(organisation=token_of(request).organisation)
    return filtered_page(queryset, filters, status="status")


@router.get(
    "/programmes/{programme_id}",
    response={200: ProgrammeOut, **ERRORS},
    auth=scoped("programmes:read"),
    summary="Get a programme",
)
def programme_get(request: HttpRequest, programme_id: PathId) -> Programme:
    return get_object_or_404(
        Programme, organisation=token_of(request).organisation, pk=programme_id
    )


@router.post(
    "/programmes",
    response={201: ProgrammeOut, **ERRORS},
    auth=scoped("programmes:write"),
    summary="Create a draft programme",
)
def programme_post(request: HttpRequest, payload: ProgrammeIn) -> Status[Programme]:
    token = token_of(request)
    if payload.starts_on and payload.ends_on and payload.starts_on >= payload.ends_on:
        raise ApiError(
            400,
            "refused",
            "A programme must start before it ends.",
            [{"field": "ends_on", "message": "Choose an end date after the start date."}],
        )
    with transaction.atomic():
        programme = programme_create(
            organisation=token.organisation, actor=token.membership, values=payload.model_dump()
        )
    return Status(201, programme)


# --- participants ---------------------------------------------------------------------


class ParticipantOut(Schema):
    id: int = Field(..., description="The person's id, used by enrolments and mentorships.")
    email: str
    name: str
    role: str
    job_title: str
    department: str
    timezone: str
    joined_at: dt.datetime


class ParticipantPage(Schema):
    items: list[ParticipantOut]
    next_cursor: str | None


class ParticipantFilters(PageQuery):
    role: Literal["owner", "manager", "participant"] | None = None
    email: str | None = Field(None, max_length=254, description="Exact e-mail address.")


def _participants(memberships: list[Membership]) -> list[ParticipantOut]:
    if not memberships:
        return []
    profiles = {
        p.user_id: p
        for p in Profile.objects.filter(
            organisation_id=memberships[0].organisation_id,
            user_id__in=[m.user_id for m in memberships],
        ).only("user_id", "job_title", "department", "timezone")
    }
    out = []
    for m in memberships:
        profile = profiles.get(m.user_id)
        out.append(
            ParticipantOut(
                id=m.user_id,
                email=m.user.email,
                name=m.user.name,
                role=m.role,
                job_title=profile.job_title if profile else "",
                department=profile.department if profile else "",
                timezone=profile.timezone if profile else "UTC",
                joined_at=m.created_at,
            )
        )
    return out


@router.get(
    "/participants",
    response={200: ParticipantPage, **ERRORS},
    auth=scoped("participants:read"),
    summary="List the organisation's people",
)
def participant_list(request: HttpRequest, filters: Query[ParticipantFilters]) -> dict[str, Any]:
    queryset = Membership.objects.filter(
        organisation=token_of(request).organisation
    ).select_related("user")
    if filters.role:
        queryset = queryset.filter(role=filters.role)
    if filters.email:
        queryset = queryset.filter(user__email__iexact=filters.email)
    rows, cursor = cursor_page(queryset, cursor=filters.cursor, limit=filters.limit, key="user_id")
    return {"items": _participants(list(rows)), "next_cursor": cursor}


@router.get(
    "/participants/{participant_id}",
    response={200: ParticipantOut, **ERRORS},
    auth=scoped("participants:read"),
    summary="Get a person",
)
def participant_get(request: HttpRequest, participant_id: PathId) -> ParticipantOut:
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        organisation=token_of(request).organisation,
        user_id=participant_id,
    )
    return _participants([membership])[0]


# --- enrolments -----------------------------------------------------------------------


class EnrolmentOut(Schema):
    id: int
    programme_id: int
    participant_id: int

    @staticmethod
    def resolve_participant_id(obj: Enrolment) -> int:
        return obj.user_id

    role: str
    status: str
    source: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    matched_at: dt.datetime | None


class EnrolmentPage(Schema):
    items: list[EnrolmentOut]
    next_cursor: str | None


class EnrolmentFilters(PageQuery):
    programme_id: int | None = Field(None, ge=1, le=2**62)
    role: Literal["mentor", "mentee"] | None = None
    status: Literal["pending", "active", "declined", "withdrawn"] | None = None


class DecisionIn(Schema):
    approve: bool


def _enrolments(request: HttpRequest):  # type: ignore[no-untyped-def]
    return Enrolment.objects.filter(programme__organisation=token_of(request).organisation)


@router.get(
    "/enrolments",
    response={200: EnrolmentPage, **ERRORS},
    auth=scoped("enrolments:read"),
    summary="List enrolments",
)
def enrolment_list(request: HttpRequest, filters: Query[EnrolmentFilters]) -> dict[str, Any]:
    return filtered_page(
        _enrolments(request), filters, programme_id="programme_id", role="role", status="status"
    )


@router.get(
    "/enrolments/{enrolment_id}",
    response={200: EnrolmentOut, **ERRORS},
    auth=scoped("enrolments:read"),
    summary="Get an enrolment",
)
def enrolment_get(request: HttpRequest, enrolment_id: PathId) -> Enrolment:
    return get_object_or_404(_enrolments(request), pk=enrolment_id)


@router.post(
    "/enrolments/{enrolment_id}/decision",
    response={200: EnrolmentOut, **ERRORS},
    auth=scoped("enrolments:write"),
    summary="Approve or decline a pending enrolment",
)
def enrolment_decision(
    request: HttpRequest, enrolment_id: PathId, payload: DecisionIn
) -> Enrolment:
    enrolment = get_object_or_404(
        _enrolments(request).select_related("programme__organisation", "user"), pk=enrolment_id
    )
    with transaction.atomic():
        enrolment_decide(
            enrolment=enrolment, actor=token_of(request).membership, approve=payload.approve
        )
    return enrolment
