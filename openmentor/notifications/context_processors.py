from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest


def notification_count(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count, counted only by pages that show the header's links."""
    organisation = getattr(request, "organisation", None)
    user = getattr(request, "user", None)
    if organisation is None or user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from openmentor.notifications.selectors import unread_count

        return unread_count(organisation_id=organisation.pk, user_id=user.pk)

    lazy: Callable[[], int] = count
    return {"unread_notification_count": lazy}
