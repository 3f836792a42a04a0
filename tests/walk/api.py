"""Walk makers for the API's and the integrations pages' URL parameters."""

from __future__ import annotations

from typing import Any, cast

from django.utils import timezone

from openmentor.api.models import ApiToken
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.programmes.models import Programme
from tests.factories import MembershipFactory, ProgrammeFactory


def programme_id(organisation: Organisation, values: dict[str, Any]) -> int:
    programme = ProgrammeFactory(organisation=organisation, status=Programme.Status.ENROLLING)
    return cast(Programme, programme).pk


def participant_id(organisation: Organisation, values: dict[str, Any]) -> int:
    member = MembershipFactory(organisation=organisation, role=Role.PARTICIPANT)
    return cast(Membership, member).user_id


def token_id(organisation: Organisation, values: dict[str, Any]) -> int:
    owner = organisation.memberships.filter(role=Role.OWNER).first() or MembershipFactory(
        organisation=organisation, role=Role.OWNER
    )
    return ApiToken.objects.create(
        organisation=organisation,
        membership=owner,
        name="Walk",
        prefix="om_walk",
        token_hash=f"walk-{organisation.pk}-{timezone.now().timestamp()}",
        scopes=["programmes:read"],
    ).pk


MAKERS = {
    "programme_id": programme_id,
    "participant_id": participant_id,
    "token_id": token_id,
}
# The API's schema and docs page are public; every operation needs a token.
PUBLIC = {"openapi-json", "openapi-view", "api-root"}
