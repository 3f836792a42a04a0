from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "openmentor.people"
    label = "people"

    def ready(self) -> None:
        from openmentor.organisations.extensions import (
            MembershipExtension,
            membership_extension_register,
        )
        from openmentor.organisations.models import Membership
        from openmentor.people.middleware import activate_person_timezone, with_profile_timezone

        def activate(membership: Membership) -> None:
            activate_person_timezone(membership)

        # Every organisation page shows moments in the person's own timezone.
        membership_extension_register(
            MembershipExtension(annotate=with_profile_timezone, resolved=activate)
        )
