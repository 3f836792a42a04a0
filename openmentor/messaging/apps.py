from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "openmentor.messaging"
    label = "messaging"

    def ready(self) -> None:
        # Registers the periodic jobs with the scheduler.
        from django.db.models.signals import post_delete, post_save

        from openmentor.mentorships.models import Mentorship, MentorshipMember
        from openmentor.messaging import (
            jobs,  # noqa: F401
            live,
        )
        from openmentor.organisations.models import Membership

        # Open conversation sockets cache their access check; these tell them when to
        # check again (see consumers.py).
        for signal in (post_save, post_delete):
            signal.connect(
                live.membership_changed, sender=Membership, dispatch_uid=f"ws-m-{signal}"
            )
            signal.connect(
                live.mentorship_changed, sender=Mentorship, dispatch_uid=f"ws-t-{signal}"
            )
            signal.connect(
                live.circle_member_changed,
                sender=MentorshipMember,
                dispatch_uid=f"ws-c-{signal}",
            )
