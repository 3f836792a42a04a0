from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def organisation_navigation(request: HttpRequest) -> dict[str, Any]:
    """The organisation switcher and role-based navigation for the base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def switcher() -> list[Any]:
        from openmentor.organisations.selectors import memberships_for_user

        return list(memberships_for_user(user=user))

    return {
        "current_membership": getattr(request, "membership", None),
        "current_organisation": getattr(request, "organisation", None),
        # Lazy: only pages that render the switcher pay for the query.
        "my_memberships": switcher,
    }
