"""Writes for rematch requests: a member asks for a new match after a mentorship, a
manager resolves the request (with a new mentorship, or without), the member withdraws.

Each service is one transaction; e-mails go out on commit (`email_send` defers them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openmentor.core.events import EventKind, event_record
from openmentor.mentorships.models import Mentorship, RematchRequest
from openmentor.mentorships.services.lifecycle import (
    _locked,
    _rematch_create,
    _require_member,
    _require_pair,
    mentorship_create,
)
from openmentor.organisations.models import Membership

if TYPE_CHECKING:
    from openmentor.accounts.models import User


@transaction.atomic
def rematch_request_create(*, mentorship: Mentorship, user: User) -> RematchRequest:
    """A member of an ended mentorship (the one who ended it or the partner) asks for a new match."""
    mentorship = _locked(mentorship)
    role = _require_member(mentorship, user)
    _require_pair(mentorship, "rematched")
    if mentorship.status != Mentorship.Status.ENDED:
        raise ValidationError("You can ask for a new match once this mentorship has ended.")
    request = _rematch_create(mentorship, user, role)
    event_record(
        organisation=mentorship.programme.organisation,
        actor=user,
        kind=EventKind.REMATCH_REQUESTED,
        data={"mentorship": mentorship.pk},
    )
    return request


@transaction.atomic
def rematch_request_resolve(
    *,
    rematch_request: RematchRequest,
    manager: Membership,
    new_partner: User | None = None,
    match_score: float | None = None,
    match_reasons: Sequence[Any] = (),
    notify: bool = True,
) -> RematchRequest:
    """A manager closes a rematch request, optionally by proposing a new mentorship.

    The new partner may not be the excluded one; the mentorship goes through
    `mentorship_create`, so every capacity rule applies.
    """
    request = (
        RematchRequest.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=rematch_request.pk)
    )
    programme = request.programme
    if not manager.is_manager or programme.organisation_id != manager.organisation_id:
        raise PermissionDenied
    if request.status != RematchRequest.Status.OPEN:
        raise ValidationError("This request has already been dealt with.")
    if new_partner is not None:
        if new_partner.pk == request.excluded_partner_id:
            raise ValidationError({"partner": "Choose someone other than the previous partner."})
        requester = request.requester
        mentor, mentee = (
            (requester, new_partner) if request.role == "mentor" else (new_partner, requester)
        )
        request.new_mentorship = mentorship_create(
            programme=programme,
            mentor=mentor,
            mentee=mentee,
            created_by=manager.user,
            source=Mentorship.Source.REMATCH,
            match_score=match_score,
            match_reasons=match_reasons,
            notify=notify,
        )
    request.status = RematchRequest.Status.RESOLVED
    request.resolved_at = timezone.now()
    request.resolved_by = manager.user
    request.save(update_fields=["status", "resolved_at", "resolved_by", "new_mentorship"])
    event_record(
        organisation=programme.organisation,
        actor=manager.user,
        kind=EventKind.REMATCH_RESOLVED,
        data={"request": request.pk, "mentorship": request.new_mentorship_id},
    )
    return request


@transaction.atomic
def rematch_request_withdraw(*, rematch_request: RematchRequest, user: User) -> RematchRequest:
    """The requester no longer wants a new match."""
    if rematch_request.requester_id != user.pk:
        raise PermissionDenied
    if rematch_request.status != RematchRequest.Status.OPEN:
        raise ValidationError("This request has already been dealt with.")
    rematch_request.status = RematchRequest.Status.WITHDRAWN
    rematch_request.resolved_at = timezone.now()
    rematch_request.resolved_by = user
    rematch_request.save(update_fields=["status", "resolved_at", "resolved_by"])
    return rematch_request
