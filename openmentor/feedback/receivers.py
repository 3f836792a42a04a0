"""What feedback does when another app's signal says so."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from openmentor.feedback.models import Checkin
from openmentor.feedback.surveys.services import checkin_open
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.signals import mentorship_ended


@receiver(mentorship_ended)
def closing_survey_on_end(sender: type, *, mentorship: Mentorship, **kwargs: Any) -> None:
    # Both members get the closing survey (usefulness and the NPS question), in the app:
    # the partner's e-mail at this moment is the kind no-fault one, and nothing else.
    checkin_open(
        mentorship=mentorship,
        survey=Checkin.Survey.CLOSING,
        now=mentorship.ended_at or timezone.now(),
        email=False,
    )
