from __future__ import annotations

from typing import Any

from openmentor.organisations.models import Organisation, Role
from openmentor.organisations.services import invitation_create


def invitation_id(organisation: Organisation, values: dict[str, Any]) -> int:
    inviter = organisation.memberships.get(role=Role.OWNER)
    created = invitation_create(
        organisation=organisation,
        inviter=inviter,
        email=f"walk-{organisation.slug}@example.org",
        role=Role.PARTICIPANT,
    )
    return created.invitation.pk


MAKERS = {"invitation_id": invitation_id}
PUBLIC = {"home", "healthz", "invitation_accept"}
PERSONAL = {"organisation_list", "organisation_create"}
