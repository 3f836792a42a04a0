"""Extension points of the tenancy edge, for apps above the foundation.

`organisation_view` resolves one membership per request. An app that needs something of
the person on every organisation page (people: their timezone) registers here from its
AppConfig.ready(): it may add to the membership query (so it costs no query of its own)
and act once the membership is resolved. The foundation never imports those apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from openmentor.organisations.models import Membership


@dataclass(frozen=True)
class MembershipExtension:
    annotate: Callable[[QuerySet[Membership]], QuerySet[Membership]]
    resolved: Callable[[Membership], None]


_extensions: list[MembershipExtension] = []


def membership_extension_register(extension: MembershipExtension) -> None:
    if extension not in _extensions:
        _extensions.append(extension)


def memberships_extended(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    for extension in _extensions:
        memberships = extension.annotate(memberships)
    return memberships


def membership_resolved(membership: Membership) -> None:
    for extension in _extensions:
        extension.resolved(membership)
