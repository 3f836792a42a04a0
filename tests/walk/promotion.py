from __future__ import annotations

import secrets
from typing import Any, cast

from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.programmes.models import Ambassador, Campaign, Programme
from tests.factories import CampaignFactory, MembershipFactory, ProgrammeFactory


def _programme(organisation: Organisation, values: dict[str, Any]) -> Programme:
    found = Programme.objects.filter(
        organisation=organisation, slug=values.get("programme_slug", "")
    ).first()
    return found or cast(Programme, ProgrammeFactory(organisation=organisation))


def campaign_id(organisation: Organisation, values: dict[str, Any]) -> int:
    campaign = CampaignFactory(
        programme=_programme(organisation, values),
        subject="Join us",
        body_markdown="Hello",
        audience=Campaign.Audience.NOT_ENROLLED,
        link_token=secrets.token_urlsafe(32),
    )
    return campaign.pk


def ambassador_id(organisation: Organisation, values: dict[str, Any]) -> int:
    member = cast(Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT))
    ambassador = Ambassador.objects.create(
        programme=_programme(organisation, values),
        user=member.user,
        link_token=secrets.token_urlsafe(32),
    )
    return ambassador.pk


MAKERS = {"campaign_id": campaign_id, "ambassador_id": ambassador_id}
