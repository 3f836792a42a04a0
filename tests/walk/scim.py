"""Walk makers for the provisioning pages and the SCIM endpoints."""

from __future__ import annotations

from typing import Any

from openmentor.scim.models import ScimGroup, ScimToken


def scim_token_id(organisation: Any, values: dict[str, Any]) -> int:
    return ScimToken.objects.create(
        organisation=organisation,
        name="Walk",
        prefix="scim_walk",
        token_hash=f"scim-walk-{organisation.pk}",
    ).pk


def scim_group_id(organisation: Any, values: dict[str, Any]) -> int:
    return ScimGroup.objects.create(organisation=organisation, display_name="Walkers").pk


def group_id(organisation: Any, values: dict[str, Any]) -> str:
    return str(scim_group_id(organisation, values))


MAKERS = {"scim_token_id": scim_token_id, "scim_group_id": scim_group_id, "group_id": group_id}
