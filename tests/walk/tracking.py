"""One-click links from e-mails: signed tokens in the address, open to anyone holding one
(a bad token is a 400 page; see tests/tracking and tests/notifications), and makers for
the survey pages: the participant's own questions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openmentor.mentorships.models import Mentorship
from openmentor.organisations.models import Organisation
from tests.factories import MeetingFactory
from tests.walk.mentorships import mentorship_id

PUBLIC = {
    "nudge_propose",
    "closure_keep_open",
    "notifications_unsubscribe",
    "meeting_rating_link",
}


def feedback_id(organisation: Organisation, values: dict[str, Any]) -> int:
    """A question about a meeting, asked of the organisation's participant (the mentee)."""
    from openmentor.feedback.models import MeetingFeedback
    from openmentor.feedback.surveys.services import meeting_feedback_request

    mentorship = Mentorship.objects.get(pk=mentorship_id(organisation, values))
    meeting = MeetingFactory(
        mentorship=mentorship,
        starts_at=timezone.now() - dt.timedelta(days=1),
        status="accepted",
    )
    meeting_feedback_request(meeting=meeting, ask_happened=False, now=timezone.now())
    return MeetingFeedback.objects.get(meeting=meeting, author=mentorship.mentee).pk


def checkin_id(organisation: Organisation, values: dict[str, Any]) -> int:
    from openmentor.feedback.models import Checkin
    from openmentor.feedback.surveys.services import checkin_open

    mentorship = Mentorship.objects.get(pk=mentorship_id(organisation, values))
    checkin_open(mentorship=mentorship, survey="pulse", now=timezone.now())
    return Checkin.objects.get(mentorship=mentorship, author=mentorship.mentee).pk


def survey_question_id(organisation: Organisation, values: dict[str, Any]) -> int:
    from openmentor.feedback.models import SurveyQuestion
    from openmentor.programmes.models import Programme

    programme = Programme.objects.get(organisation=organisation, slug=values["programme_slug"])
    return SurveyQuestion.objects.create(
        programme=programme, survey="pulse", kind="scale", text="How clear are your goals?"
    ).pk


MAKERS = {
    "feedback_id": feedback_id,
    "checkin_id": checkin_id,
    "survey_question_id": survey_question_id,
}
