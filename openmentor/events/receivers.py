"""What the events app does when another app's signal says so."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from openmentor.accounts.models import User
from openmentor.events.services import events_cancel_for_ended_circle, events_circle_member_left
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.signals import circle_member_left, mentorship_ended


@receiver(circle_member_left)
def events_leave_with_the_circle(
    sender: type, *, circle: Mentorship, user: User, **kwargs: Any
) -> None:
    events_circle_member_left(circle=circle, user=user)


@receiver(mentorship_ended)
def events_cancel_with_the_circle(
    sender: type, *, mentorship: Mentorship, actor: User | None, **kwargs: Any
) -> None:
    if mentorship.is_circle:
        events_cancel_for_ended_circle(circle=mentorship)
