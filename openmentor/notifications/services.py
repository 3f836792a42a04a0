"""Writing in-app notifications; reading them is in selectors.py."""

from __future__ import annotations

from openmentor.notifications.models import Notification


def notification_create(
    *, organisation_id: int, user_id: int, kind: str, text: str, url: str = ""
) -> Notification:
    return Notification.objects.create(
        organisation_id=organisation_id, user_id=user_id, kind=kind, text=text[:300], url=url
    )
