from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def organisation_navigation(request: HttpRequest) -> dict[str, Any]:
    """The organisation switcher and role-based navigation for the base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    current = getattr(request, "membership", None)

    def switcher() -> list[Any]:
        if current is not None and getattr(current, "organisation_count", None) == 1:
            return [current]  # organisation_view counted them with the membership
        from openmentor.organisations.selectors import memberships_for_user

        return list(memberships_for_user(user=user))

    return {
        "current_membership": current,
        "current_organisation": getattr(request, "organisation", None),
        # Lazy: only pages that render the switcher pay for the query.
        "my_memberships": switcher,
    }
