"""Writes of the community: a person's own opt-ins."""

from __future__ import annotations

from django.db import transaction

from openmentor.community.models import CommunityOptIn
from openmentor.organisations.models import Membership


@transaction.atomic
def community_opt_in_save(
    *, membership: Membership, listed: bool, share_milestones: bool
) -> CommunityOptIn:
    """Saves the person's own choices for the organisation's community pages."""
    choice, _ = CommunityOptIn.objects.update_or_create(
        organisation_id=membership.organisation_id,
        user_id=membership.user_id,
        defaults={"listed": listed, "share_milestones": share_milestones},
    )
    return choice
