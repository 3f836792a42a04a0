from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def notification_count(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count, read from the membership organisation_view resolved
    (notifications adds it to that query; see NotificationsConfig.ready)."""
    membership = getattr(request, "membership", None)
    count = getattr(membership, "unread_notification_count", None)
    return {} if count is None else {"unread_notification_count": count}
