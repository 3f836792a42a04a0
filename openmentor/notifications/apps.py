from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "openmentor.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Registers the weekly digest with the periodic scheduler.
        from openmentor.notifications import tasks  # noqa: F401
        from openmentor.notifications.selectors import with_unread_count
        from openmentor.organisations.extensions import (
            MembershipExtension,
            membership_extension_register,
        )

        # The header's unread count rides on the membership query: no query of its own.
        membership_extension_register(
            MembershipExtension(annotate=with_unread_count, resolved=lambda membership: None)
        )
