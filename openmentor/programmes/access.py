"""The programme half of the view toolkit (the organisation half is organisations.access)."""

from __future__ import annotations

from openmentor.organisations.access import OrganisationRequest
from openmentor.programmes.models import Programme
from openmentor.programmes.selectors import programme_for_member


def programme_for(request: OrganisationRequest, slug: str) -> Programme:
    """The programme named in the URL, as the signed-in member may see it, or 404.

    A manager sees any of the organisation's programmes; a participant only those open
    to them. Another organisation's programme is a 404 either way. Behind a
    `roles=MANAGERS` view this is the manager's lookup.
    """
    return programme_for_member(membership=request.membership, slug=slug)
