"""Tenancy at the edge: every organisation view goes through `organisation_view`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from openmentor.core.views import CURRENT_ORGANISATION_SESSION_KEY
from openmentor.organisations.models import MANAGING_ROLES, Role
from openmentor.organisations.selectors import membership_for_slug
from openmentor.people.middleware import activate_person_timezone

View = TypeVar("View", bound=Callable[..., HttpResponse])

MANAGERS: frozenset[str] = frozenset(MANAGING_ROLES)
OWNERS: frozenset[str] = frozenset({Role.OWNER})


def organisation_view(roles: Iterable[str] | None = None) -> Callable[[View], View]:
    """Resolves `/o/<slug>/` to the person's membership.

    Anonymous: login redirect. Not a member (or no such slug): 404. A member whose role
    is not in `roles`: 403. Sets `request.organisation` and `request.membership`.
    """
    allowed = frozenset(roles) if roles is not None else None

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = membership_for_slug(user=request.user, slug=slug)  # type: ignore[arg-type]
            if allowed is not None and membership.role not in allowed:
                raise PermissionDenied("Your role in this organisation does not give access here.")
            activate_person_timezone(membership)
            request.membership = membership  # type: ignore[attr-defined]
            request.organisation = membership.organisation  # type: ignore[attr-defined]
            request.session[CURRENT_ORGANISATION_SESSION_KEY] = slug
            return view(request, *args, **kwargs)

        # Read by the URL-walk test: every /o/<slug>/ view must carry this mark.
        wrapped.organisation_roles = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
