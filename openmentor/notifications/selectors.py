from __future__ import annotations

from django.db.models import QuerySet

from openmentor.notifications.models import Notification
from openmentor.organisations.models import Membership


def unread_notifications(*, membership: Membership) -> QuerySet[Notification]:
    return Notification.objects.filter(
        organisation=membership.organisation, user=membership.user, read_at__isnull=True
    )
