from __future__ import annotations

from django.db.models import QuerySet

from openmentor.notifications.models import (
    Category,
    EmailChoice,
    Notification,
    NotificationPreference,
)
from openmentor.organisations.models import Membership

PAGE = 50


def unread_notifications(*, membership: Membership) -> QuerySet[Notification]:
    return Notification.objects.filter(
        organisation=membership.organisation, user=membership.user, read_at__isnull=True
    )


def unread_count(*, organisation_id: int, user_id: int) -> int:
    return Notification.objects.filter(
        organisation_id=organisation_id, user_id=user_id, read_at__isnull=True
    ).count()


def notifications_for(*, membership: Membership) -> list[Notification]:
    """The person's latest notices in this organisation, newest first (theirs only)."""
    return list(
        Notification.objects.filter(
            organisation=membership.organisation, user=membership.user
        ).order_by("-created_at", "-id")[:PAGE]
    )


def preferences_for(*, membership: Membership) -> dict[str, str]:
    """{category: e-mail choice} for every category, the default where none was set."""
    chosen = dict(
        NotificationPreference.objects.filter(
            organisation=membership.organisation, user=membership.user
        ).values_list("category", "email")
    )
    return {str(c): chosen.get(c, str(EmailChoice.IMMEDIATE)) for c in Category.values}


def with_unread_count(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Adds `unread_notification_count` to each membership (a subquery, not a query)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    unread = (
        Notification.objects.filter(
            user_id=OuterRef("user_id"),
            organisation_id=OuterRef("organisation_id"),
            read_at__isnull=True,
        )
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return memberships.annotate(
        unread_notification_count=Coalesce(Subquery(unread, output_field=IntegerField()), 0)
    )
