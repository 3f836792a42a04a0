"""What the meetings app does when another app's signal says so."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from openmentor.accounts.models import User
from openmentor.meetings.services import meetings_cancel_for_ended
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.signals import mentorship_ended


@receiver(mentorship_ended)
def meetings_cancel_on_mentorship_end(
    sender: type, *, mentorship: Mentorship, actor: User | None, **kwargs: Any
) -> None:
    # A mentorship closed for a long silence has no author: the mentor stands in as the
    # one whose calendar sends the cancellations.
    meetings_cancel_for_ended(mentorship=mentorship, actor=actor or mentorship.mentor)
