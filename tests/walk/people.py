from __future__ import annotations

from typing import Any, cast

from openmentor.organisations.models import Membership, Organisation, Role
from tests.factories import MembershipFactory, ProfileFactory


def user_id(organisation: Organisation, values: dict[str, Any]) -> int:
    """A participant of `organisation` with a profile (no photo: the placeholder is served)."""
    member = cast(Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT))
    ProfileFactory(organisation=organisation, user=member.user)
    return member.user_id


MAKERS = {"user_id": user_id}
