"""Every page shows moments in the person's own timezone.

Django renders aware datetimes (`|date`, `{{ value }}`) in the *current* timezone, which
is `TIME_ZONE` (UTC) unless something activates another. A timezone lives on a person's
profile in one organisation, so:

- on organisation pages (`/o/<slug>/...`) `organisation_view` activates the timezone of
  the profile there, read in the same query as the membership (no extra query a page),
  through the extension this app registers (people.apps; organisations.extensions);
- on pages outside an organisation (account pages, invitations) this middleware
  activates the one of the organisation the person last used;
- the middleware switches it off after every response.

Templates then need nothing special; converting a moment by hand before `|date` would
convert it twice (the bug this replaced).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from openmentor.organisations.access import CURRENT_ORGANISATION_SESSION_KEY
from openmentor.organisations.models import Membership
from openmentor.people.models import Profile
from openmentor.people.timezones import is_valid_timezone


def with_profile_timezone(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Each membership with `profile_timezone`: the timezone on the person's profile in
    that organisation (None without a profile)."""
    profile = Profile.objects.filter(organisation=OuterRef("organisation"), user=OuterRef("user"))
    return memberships.annotate(profile_timezone=Subquery(profile.values("timezone")[:1]))


_NOT_READ = object()


def _valid(name: object) -> str:
    return name if isinstance(name, str) and is_valid_timezone(name) else "UTC"


def activate_person_timezone(membership: Membership) -> str:
    """Activates the person's timezone for the rest of the request; returns its name."""
    name = getattr(membership, "profile_timezone", _NOT_READ)
    if name is _NOT_READ:
        name = (
            Profile.objects.filter(
                organisation_id=membership.organisation_id, user_id=membership.user_id
            )
            .values_list("timezone", flat=True)
            .first()
        )
    name = _valid(name)
    timezone.activate(name)
    return name


class PersonTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            # The activation is per request (context-local); never leak it to the next one.
            timezone.deactivate()

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        if "slug" in view_kwargs:
            return  # an organisation page: organisation_view activates it, for free
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        slug = request.session.get(CURRENT_ORGANISATION_SESSION_KEY)
        if not isinstance(slug, str) or not slug:
            return
        name = (
            Profile.objects.filter(organisation__slug=slug, user_id=user.pk)
            .values_list("timezone", flat=True)
            .first()
        )
        timezone.activate(_valid(name))
