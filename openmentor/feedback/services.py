"""Writes of feedback: a member's rating of their mentorship, at a check-in or at the end."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from openmentor.accounts.models import User
from openmentor.core.events import EventKind, event_record
from openmentor.feedback.models import MentorshipRating
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services import lifecycle as mentorships_lifecycle

__all__ = [
    "CHECKIN_AFTER",
    "checkin_opens_at",
    "mentorship_end_with_rating",
    "rating_submit",
]

# A pair needs a few meetings behind them before "how useful is it?" means anything.
CHECKIN_AFTER = dt.timedelta(weeks=3)
MAX_COMMENT = 5000
CHECKIN_STATUSES = (Mentorship.Status.ACTIVE, Mentorship.Status.PAUSED)


def checkin_opens_at(mentorship: Mentorship) -> dt.datetime:
    return (mentorship.started_at or mentorship.created_at) + CHECKIN_AFTER


def checkin_refusal(mentorship: Mentorship, *, now: dt.datetime | None = None) -> str:
    """Why a check-in cannot be given now, in words for the member; "" when it can."""
    if mentorship.status not in CHECKIN_STATUSES:
        if mentorship.status == Mentorship.Status.ENDED:
            return "This mentorship has ended, so there is no check-in to give."
        return "The check-in opens three weeks after your mentorship starts."
    if (now or timezone.now()) < checkin_opens_at(mentorship):
        opens = date_format(timezone.localtime(checkin_opens_at(mentorship)), "j F Y")
        return f"The check-in opens three weeks after your mentorship started, on {opens}."
    return ""


def _validate(rating: object, comment: str) -> tuple[int, str]:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": "Choose a number from 1 (not at all) to 5 (very)."})
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": "Keep your comment under 5,000 characters."})
    return rating, comment


@transaction.atomic
def rating_submit(
    *, mentorship: Mentorship, author: User, rating: int, moment: str, comment: str = ""
) -> MentorshipRating:
    """Records (or, for a check-in, changes) a member's rating of their own mentorship.

    Only the two members may rate; a check-in only while the mentorship is running and at
    least three weeks old, an ending rating only once it has ended.
    """
    if author.pk not in mentorship.member_ids():
        raise PermissionDenied("Only the two members of a mentorship can rate it.")
    rating, comment = _validate(rating, comment)
    if moment == MentorshipRating.Moment.CHECKIN:
        refusal = checkin_refusal(mentorship)
        if refusal:
            raise ValidationError(refusal)
    elif moment == MentorshipRating.Moment.ENDING:
        if mentorship.status != Mentorship.Status.ENDED:
            raise ValidationError("A mentorship is rated at its end only once it has ended.")
    else:
        raise ValidationError("Unknown moment for a rating.")
    existing = (
        MentorshipRating.objects.select_for_update()
        .filter(mentorship=mentorship, author=author, moment=moment)
        .first()
    )
    if existing is not None:
        if moment == MentorshipRating.Moment.ENDING:
            raise ValidationError("You have already rated this mentorship.")
        existing.rating, existing.comment = rating, comment
        existing.save(update_fields=["rating", "comment"])
        return existing
    made = MentorshipRating.objects.create(
        mentorship=mentorship, author=author, rating=rating, moment=moment, comment=comment
    )
    # The event says that feedback was given, never what it was: events are read by reports.
    event_record(
        organisation=mentorship.programme.organisation,
        actor=author,
        kind=EventKind.FEEDBACK_GIVEN,
        data={"mentorship": mentorship.pk, "moment": moment},
    )
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.FEEDBACK_GIVEN,
        key=f"rating:{made.pk}",
        actor=author,
        at=made.created_at,
        data={"moment": moment},
    )
    return made


@transaction.atomic
def mentorship_end_with_rating(
    *,
    mentorship: Mentorship,
    user: User,
    reason: str,
    reflection: str,
    want_rematch: bool,
    rating: int | None,
) -> Mentorship:
    """Ends the mentorship (mentorships.services.mentorship_end) and, in the same
    transaction, records the optional ending rating: both happen or neither does."""
    mentorship = mentorships_lifecycle.mentorship_end(
        mentorship=mentorship,
        user=user,
        reason=reason,
        reflection=reflection,
        want_rematch=want_rematch,
    )
    if rating is not None:
        rating_submit(
            mentorship=mentorship,
            author=user,
            rating=rating,
            moment=MentorshipRating.Moment.ENDING,
        )
    return mentorship
