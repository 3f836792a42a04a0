"""Writes of the surveys: feedback after each meeting and the check-ins (pairing fit,
pulse, closing with NPS). Each answer is validated by its question's kind, only ever by
the person it was meant for, and recorded once in the activity record (ratings with
their value only when the author shared them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.links import LinkError, link_claim, link_read, link_token
from openmentor.feedback.models import Checkin, MeetingFeedback
from openmentor.feedback.surveys.builder import custom_answers_clean, survey_questions
from openmentor.meetings.models import Meeting
from openmentor.mentorships import members
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.mentorships.models import Activity, Mentorship
from openmentor.notifications.services import EmailSpec, notify
from openmentor.organisations.models import MANAGING_ROLES, Membership

RATING_PURPOSE = "meeting-rating"
RATING_LINK_MAX_AGE = dt.timedelta(days=14)
MAX_COMMENT = 5000
RATING_ERROR = "Choose a number from 1 (not at all) to 5 (very)."


def _site(path: str) -> str:
    return settings.SITE_URL + path


def _comment(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError({"comment": "Write your comment as text."})
    value = value.strip()
    if len(value) > MAX_COMMENT:
        raise ValidationError({"comment": "Keep your comment under 5,000 characters."})
    return value


def _rating(value: object, *, field: str = "rating", low: int = 1, high: int = 5) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        message = RATING_ERROR if field == "rating" else f"Choose a number from {low} to {high}."
        raise ValidationError({field: message})
    return value


def _role(mentorship: Mentorship, user_id: int) -> str:
    return members.role_of(mentorship, user_id) or "mentee"


def _members_and_partners(mentorship: Mentorship) -> list[tuple[User, str]]:
    """Each member, with the name their feedback asks about: the partner, or the circle."""
    return [(p.user, members.title_for(mentorship, p.user)) for p in members.people_of(mentorship)]


# --- after each meeting -----------------------------------------------------------------


def rating_links(feedback: MeetingFeedback, *, now: dt.datetime) -> list[dict[str, Any]]:
    """The e-mail's five one-click ratings, each signed for this person and this meeting."""
    return [
        {
            "rating": n,
            "url": _site(
                reverse(
                    "meeting_rating_link",
                    args=[
                        link_token(
                            purpose=RATING_PURPOSE,
                            payload={"f": feedback.pk, "r": n},
                            issued_at=now,
                        )
                    ],
                )
            ),
        }
        for n in range(1, 6)
    ]


@transaction.atomic
def meeting_feedback_request(
    *, meeting: Meeting, ask_happened: bool, now: dt.datetime
) -> list[MeetingFeedback]:
    """Asks both members about a meeting that has ended (once per person and meeting)."""
    mentorship = meeting.mentorship
    organisation = mentorship.programme.organisation
    made = []
    for person, partner_name in _members_and_partners(mentorship):
        feedback, created = MeetingFeedback.objects.get_or_create(
            meeting=meeting,
            author=person,
            defaults={"mentorship": mentorship, "ask_happened": ask_happened, "requested_at": now},
        )
        if not created:
            continue
        made.append(feedback)
        page = reverse("meeting_feedback", args=[organisation.slug, feedback.pk])
        notify(
            organisation=organisation,
            user=person,
            kind="feedback.meeting",
            text=f"How useful was your meeting with {partner_name}? One click tells us.",
            url=page,
            email=EmailSpec(
                subject=f"How was your meeting with {partner_name}?",
                template="feedback/email/meeting_feedback",
                context={
                    "name": person.name,
                    "partner_name": partner_name,
                    "ask_happened": ask_happened,
                    "links": rating_links(feedback, now=now),
                    "form_url": _site(page),
                },
            ),
        )
    return made


def _record_feedback(feedback: MeetingFeedback) -> None:
    data: dict[str, Any] = {"moment": "meeting", "meeting": feedback.meeting_id}
    if feedback.shared and feedback.rating is not None:
        data["rating"] = feedback.rating  # only a shared rating travels with the record
    key = f"meeting-feedback:{feedback.pk}"
    recorded = activity_record(
        mentorship=feedback.mentorship,
        kind=ActivityKind.FEEDBACK_GIVEN,
        key=key,
        actor=feedback.author,
        at=feedback.answered_at,
        data=data,
    )
    if recorded is None:
        # Changed later (a rating added, sharing ticked or unticked): the one row follows.
        Activity.objects.filter(key=key).update(data=data)


def _record_outcome(feedback: MeetingFeedback) -> None:
    if not feedback.ask_happened or feedback.happened is None:
        return
    meeting = feedback.meeting
    # The first member to answer decides; the key makes it once per meeting.
    activity_record(
        mentorship=feedback.mentorship,
        kind=ActivityKind.MEETING_HELD if feedback.happened else ActivityKind.MEETING_MISSED,
        key=f"outcome:meeting:{meeting.pk}",
        actor=feedback.author,
        at=meeting.starts_at,
        data={"meeting": meeting.pk, "source": "reported"},
    )
    if feedback.happened:
        pairing_fit_open_if_due(mentorship=feedback.mentorship, now=feedback.answered_at)


@transaction.atomic
def meeting_feedback_submit(
    *,
    feedback: MeetingFeedback,
    author: User,
    rating: object,
    happened: object = None,
    comment: object = "",
    shared: bool = False,
    custom: dict[str, Any] | None = None,
    now: dt.datetime,
) -> MeetingFeedback:
    """Saves (or changes) a member's answer about a meeting. Only its author may answer;
    a rating is 1–5; "did it happen?" must be answered when it was asked, and a meeting
    that did not happen takes no rating."""
    feedback = MeetingFeedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.author_id != author.pk:
        raise PermissionDenied("This question was sent to someone else.")
    comment = _comment(comment)
    if feedback.ask_happened:
        if not isinstance(happened, bool):
            raise ValidationError({"happened": "Tell us whether the meeting happened."})
        feedback.happened = happened
    if happened is False:
        if rating not in (None, ""):
            raise ValidationError({"rating": "A meeting that did not happen takes no rating."})
        feedback.rating = None
    else:
        feedback.rating = _rating(rating)
    feedback.comment, feedback.shared = comment, bool(shared)
    programme = feedback.mentorship.programme
    feedback.answers = custom_answers_clean(
        programme=programme,
        questions=survey_questions(programme=programme, survey="meeting"),
        answers=custom or {},
    )
    feedback.answered_at = feedback.answered_at or now
    feedback.save()
    _record_feedback(feedback)
    _record_outcome(feedback)
    return feedback


@dataclass(frozen=True)
class LinkOutcome:
    feedback: MeetingFeedback
    message: str
    recorded: bool


def meeting_rating_link_read(*, token: str, now: dt.datetime) -> int:
    """The rating a one-click link carries, checking it as the recording does, without
    recording anything (LinkError for a bad or expired link)."""
    data = link_read(token, purpose=RATING_PURPOSE, max_age=RATING_LINK_MAX_AGE, now=now)
    try:
        return _rating(data["r"])
    except (KeyError, TypeError, ValueError, ValidationError) as error:
        raise LinkError("This link is not valid: it may have been cut short or changed.") from error


@transaction.atomic
def meeting_rating_by_link(*, token: str, now: dt.datetime) -> LinkOutcome:
    """Records the rating a one-click link carries. Works once; a replay (or a click
    after answering in the app) changes nothing and says so. LinkError for a bad link."""
    data = link_read(token, purpose=RATING_PURPOSE, max_age=RATING_LINK_MAX_AGE, now=now)
    try:
        feedback_id, rating = int(data["f"]), _rating(data["r"])
    except (KeyError, TypeError, ValueError, ValidationError) as error:
        raise LinkError("This link is not valid: it may have been cut short or changed.") from error
    feedback = (
        MeetingFeedback.objects.select_for_update()
        .select_related("mentorship", "meeting", "author")
        .filter(pk=feedback_id)
        .first()
    )
    if feedback is None:
        raise LinkError("This link is not valid: it may have been cut short or changed.")
    first = link_claim(token, purpose=RATING_PURPOSE)
    if not first or feedback.rating is not None or feedback.happened is False:
        return LinkOutcome(feedback, "Your answer was already recorded; nothing changed.", False)
    feedback.rating = rating
    if feedback.ask_happened:
        feedback.happened = True  # rating it says it happened
    feedback.answered_at = now
    feedback.save()
    _record_feedback(feedback)
    _record_outcome(feedback)
    return LinkOutcome(feedback, f"Thank you: you rated this meeting {rating} out of 5.", True)


# --- check-ins -------------------------------------------------------------------------


def _checkin_notice(checkin: Checkin, partner: str) -> tuple[str, str]:
    if checkin.survey == Checkin.Survey.PAIRING_FIT:
        return (
            f"Two quick questions after your first meeting with {partner}: does the match work?",
            "How is your match working?",
        )
    if checkin.survey == Checkin.Survey.CLOSING:
        return (
            f"Your mentorship with {partner} has ended: three questions to close it.",
            "A last word on your mentorship",
        )
    return (f"How is your mentorship with {partner} going? One question.", "How is it going?")


@transaction.atomic
def checkin_open(
    *, mentorship: Mentorship, survey: str, period: int = 0, now: dt.datetime, email: bool = True
) -> list[Checkin]:
    """Opens a check-in for both members (once per person, survey and period); with
    `email=False` the notice is in the app only."""
    survey = str(Checkin.Survey(survey))
    organisation = mentorship.programme.organisation
    made = []
    for person, partner_name in _members_and_partners(mentorship):
        checkin, created = Checkin.objects.get_or_create(
            mentorship=mentorship,
            author=person,
            survey=survey,
            period=period,
            defaults={"opened_at": now},
        )
        if not created:
            continue
        made.append(checkin)
        text, subject = _checkin_notice(checkin, partner_name)
        page = reverse("checkin_answer", args=[organisation.slug, checkin.pk])
        notify(
            organisation=organisation,
            user=person,
            kind=f"checkin.{survey}",
            text=text,
            url=page,
            email=EmailSpec(
                subject=subject,
                template="feedback/email/checkin",
                context={"name": person.name, "text": text, "url": _site(page)},
            )
            if email
            else None,
        )
    return made


def pairing_fit_open_if_due(*, mentorship: Mentorship, now: dt.datetime | None) -> None:
    """After the first (or, if missed then, the second) meeting held: the pairing fit."""
    held = Activity.objects.filter(mentorship=mentorship, kind=ActivityKind.MEETING_HELD).count()
    due = 1 <= held <= 2 and mentorship.status == Mentorship.Status.ACTIVE
    if (
        due
        and not Checkin.objects.filter(
            mentorship=mentorship, survey=Checkin.Survey.PAIRING_FIT
        ).exists()
    ):
        checkin_open(
            mentorship=mentorship, survey=Checkin.Survey.PAIRING_FIT, now=now or timezone.now()
        )


def _choice(value: object, field: str, allowed: list[str], message: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError({field: message})
    return value


@transaction.atomic
def checkin_submit(
    *, checkin: Checkin, author: User, answers: dict[str, Any], now: dt.datetime
) -> Checkin:
    """Saves a member's answers to their own check-in, each checked by its kind.

    A pairing fit of "not working" alerts the programme team (the form says so); the
    comment stays private whatever the answers.
    """
    checkin = (
        Checkin.objects.select_for_update()
        .select_related("mentorship__programme__organisation", "mentorship__mentor")
        .get(pk=checkin.pk)
    )
    if checkin.author_id != author.pk:
        raise PermissionDenied("This check-in was sent to someone else.")
    mentorship = checkin.mentorship
    checkin.comment = _comment(answers.get("comment", ""))
    checkin.shared = bool(answers.get("shared", False))
    if checkin.survey == Checkin.Survey.PAIRING_FIT:
        comfortable = _choice(
            answers.get("comfortable"), "comfortable", ["yes", "no"], "Answer yes or no."
        )
        checkin.comfortable = comfortable == "yes"
        checkin.fit = _choice(
            answers.get("fit"), "fit", list(Checkin.Fit.values), "Choose the answer that fits best."
        )
    elif checkin.survey == Checkin.Survey.PULSE:
        checkin.rating = _rating(answers.get("rating"))
    else:
        checkin.rating = _rating(answers.get("rating"))
        checkin.nps = _rating(answers.get("nps"), field="nps", low=0, high=10)
    checkin.answers = custom_answers_clean(
        programme=mentorship.programme,
        questions=survey_questions(programme=mentorship.programme, survey=checkin.survey),
        answers=answers,
    )
    checkin.answered_at = checkin.answered_at or now
    checkin.save()
    data: dict[str, Any] = {"survey": checkin.survey}
    if checkin.survey == Checkin.Survey.PAIRING_FIT:
        data["fit"] = checkin.fit
    elif checkin.shared:
        data["rating"] = checkin.rating
    key = f"checkin:{checkin.pk}"
    if (
        activity_record(
            mentorship=mentorship,
            kind=ActivityKind.CHECKIN_ANSWERED,
            key=key,
            actor=author,
            at=checkin.answered_at,
            data=data,
        )
        is None
    ):
        Activity.objects.filter(key=key).update(data=data)
    if checkin.survey == Checkin.Survey.PAIRING_FIT and checkin.fit == Checkin.Fit.NO:
        _alert_not_working(checkin, now)  # once: the alert's key is per check-in
    return checkin


def _alert_not_working(checkin: Checkin, now: dt.datetime) -> None:
    mentorship = checkin.mentorship
    organisation = mentorship.programme.organisation
    role = _role(mentorship, checkin.author_id)
    author = checkin.author
    partner = members.title_for(mentorship, author)
    recorded = activity_record(
        mentorship=mentorship,
        kind=ActivityKind.MANAGER_ALERTED,
        key=f"alert:fit:{checkin.pk}",
        actor=author,
        at=now,
        data={"reason": "not_working", "role": role},
    )
    if recorded is None:
        return  # told already
    text = (
        f"{author.name} ({role}) says the match with {partner} is not working "
        f"({mentorship.programme.name}). They were offered a no-fault ending and a rematch."
    )
    for membership in Membership.objects.filter(
        organisation=organisation, role__in=MANAGING_ROLES
    ).select_related("user"):
        notify(
            organisation=organisation,
            user=membership.user,
            kind="alert.fit",
            text=text,
            url=reverse("programme_health", args=[organisation.slug, mentorship.programme.slug]),
            email=EmailSpec(
                subject=f"A match is not working in {mentorship.programme.name}",
                template="notifications/email/alert",
                context={"name": membership.user.name, "text": text},
            ),
        )
