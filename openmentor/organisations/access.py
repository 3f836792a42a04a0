"""Tenancy at the edge: every organisation view goes through `organisation_view`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from openmentor.accounts.models import User
from openmentor.organisations.extensions import membership_resolved
from openmentor.organisations.models import MANAGING_ROLES, Membership, Organisation, Role
from openmentor.organisations.selectors import membership_for_slug

View = TypeVar("View", bound=Callable[..., HttpResponse])

# Session keys, in one place because several apps read what another wrote.
# The organisation last opened: the home page goes back to it.
CURRENT_ORGANISATION_SESSION_KEY = "openmentor.organisation"
# An invitation link opened before signing in: accepted after sign-up and verification.
PENDING_INVITATION_SESSION_KEY = "openmentor.pending_invitation"
# A programme's join link opened before signing in: the home page returns to it.
PENDING_JOIN_SESSION_KEY = "openmentor.pending_join"


class OrganisationRequest(HttpRequest):
    """The request an `organisation_view` hands its view: signed in, tenant resolved.

    Only a type: views annotate `request: OrganisationRequest` instead of reaching
    for attributes HttpRequest does not declare.
    """

    user: User
    organisation: Organisation
    membership: Membership


MANAGERS: frozenset[str] = frozenset(MANAGING_ROLES)
OWNERS: frozenset[str] = frozenset({Role.OWNER})


def organisation_view(roles: Iterable[str] | None = None) -> Callable[[View], View]:
    """Resolves `/o/<slug>/` to the person's membership.

    Anonymous: login redirect. Not a member (or no such slug): 404. A member whose role
    is not in `roles`: 403. An owner or manager without two-factor authentication, where
    the organisation requires it: sent to set it up. Sets `request.organisation` and
    `request.membership`.
    """
    allowed = frozenset(roles) if roles is not None else None

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = membership_for_slug(user=request.user, slug=slug)  # type: ignore[arg-type]
            if allowed is not None and membership.role not in allowed:
                raise PermissionDenied("Your role in this organisation does not give access here.")
            if (
                membership.organisation.require_mfa_for_managers
                and membership.role in MANAGERS
                and not is_mfa_enabled(request.user)
            ):
                messages.warning(
                    request,
                    f"{membership.organisation.name} requires two-factor authentication for "
                    "owners and managers. Set it up to continue.",
                )
                return redirect("mfa_activate_totp")
            membership_resolved(membership)  # e.g. people activates the person's timezone
            tenant_request = cast(OrganisationRequest, request)
            tenant_request.membership = membership
            tenant_request.organisation = membership.organisation
            # Assigning marks the session modified: a database write and a new cookie on
            # every page. Only a change of organisation is worth remembering.
            if request.session.get(CURRENT_ORGANISATION_SESSION_KEY) != slug:
                request.session[CURRENT_ORGANISATION_SESSION_KEY] = slug
            return view(request, *args, **kwargs)

        # Read by the URL-walk test: every /o/<slug>/ view must carry this mark.
        wrapped.organisation_roles = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
