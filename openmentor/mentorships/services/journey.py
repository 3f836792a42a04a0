"""Writes for the pair's journey: goals and milestones, notes, meetings logged from
elsewhere, and the programme's icebreakers.

Each service is one transaction; services check who may act.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openmentor.core.events import EventKind, event_record
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.mentorships.models import (
    ExternalMeeting,
    Goal,
    Icebreaker,
    Mentorship,
    Milestone,
    Note,
)
from openmentor.mentorships.services.lifecycle import (
    MAX_TEXT,
    _notify,
    _require_member,
    _require_open,
)
from openmentor.organisations.models import Membership
from openmentor.people.models import Profile
from openmentor.programmes.models import Programme

if TYPE_CHECKING:
    from openmentor.accounts.models import User


class NotedMeeting(Protocol):
    """A meeting as `note_create` reads it. The meetings app sits above this one (a
    meeting belongs to a mentorship), so it is described here rather than imported."""

    pk: Any
    mentorship_id: int
    status: str
    starts_at: dt.datetime


# --- Goals ---------------------------------------------------------------------------


def _clean_title(title: str, field: str = "title") -> str:
    title = title.strip()
    if not title:
        raise ValidationError({field: "Give it a short name."})
    if len(title) > 200:
        raise ValidationError({field: "Keep it under 200 characters."})
    return title


def _celebrate_if_reached(goal: Goal, mentorship: Mentorship, user: User) -> bool:
    """Marks the goal reached the first time it is; returns True when that is now."""
    milestones = list(goal.milestones.all())
    all_done = bool(milestones) and all(m.done_at for m in milestones)
    if goal.reached_at is not None or not (goal.progress >= 100 or all_done):
        return False
    goal.reached_at = timezone.now()
    goal.progress = 100
    goal.save(update_fields=["reached_at", "progress", "updated_at"])
    event_record(
        organisation=mentorship.programme.organisation,
        actor=user,
        kind=EventKind.GOAL_REACHED,
        data={"mentorship": mentorship.pk, "goal": goal.pk},
    )
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.GOAL_REACHED,
        key=f"goal:{goal.pk}",
        actor=user,
        at=goal.reached_at,
        data={"goal": goal.pk},
    )
    _notify(
        mentorship,
        mentorship.member_ids(),
        "goal.reached",
        f"Goal reached: {goal.title}. Well done, both of you!",
    )
    return True


@transaction.atomic
def goal_create(*, mentorship: Mentorship, user: User, title: str, description: str = "") -> Goal:
    _require_member(mentorship, user)
    _require_open(mentorship)
    return Goal.objects.create(
        mentorship=mentorship,
        title=_clean_title(title),
        description=description.strip()[:MAX_TEXT],
        created_by=user,
    )


@transaction.atomic
def goal_update(
    *, goal: Goal, user: User, title: str, description: str, progress: int
) -> tuple[Goal, bool]:
    """Either member edits a goal; returns (goal, reached_now) so the page can celebrate."""
    mentorship = goal.mentorship
    _require_member(mentorship, user)
    _require_open(mentorship)
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": "Progress is a percentage from 0 to 100."})
    goal.title = _clean_title(title)
    goal.description = description.strip()[:MAX_TEXT]
    goal.progress = progress
    goal.save()
    return goal, _celebrate_if_reached(goal, mentorship, user)


@transaction.atomic
def milestone_add(*, goal: Goal, user: User, text: str) -> Milestone:
    _require_member(goal.mentorship, user)
    _require_open(goal.mentorship)
    last = goal.milestones.aggregate(m=Max("position"))["m"]
    return Milestone.objects.create(
        goal=goal, text=_clean_title(text, "text"), position=(last or 0) + 1
    )


@transaction.atomic
def milestone_set_done(*, milestone: Milestone, user: User, done: bool) -> bool:
    """Ticks or unticks a milestone; returns True when that reached the goal."""
    goal = milestone.goal
    _require_member(goal.mentorship, user)
    _require_open(goal.mentorship)
    milestone.done_at = timezone.now() if done else None
    milestone.save(update_fields=["done_at"])
    return _celebrate_if_reached(goal, goal.mentorship, user)


# --- Notes ---------------------------------------------------------------------------


@transaction.atomic
def note_create(
    *,
    mentorship: Mentorship,
    user: User,
    body: str,
    private: bool,
    meeting: NotedMeeting | None = None,
    now: dt.datetime | None = None,
) -> Note:
    """A shared note both members read, or a private one only its author ever sees.

    With `meeting`, a shared note from that meeting of this same pair, written once the
    meeting has started (it is shown on the meeting's page as well as the mentorship's).
    """
    _require_member(mentorship, user)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > MAX_TEXT:
        raise ValidationError({"body": "Keep a note under 5,000 characters."})
    if meeting is not None:
        if meeting.mentorship_id != mentorship.pk:
            # A view never gets here (it looks the meeting up in the mentorship); a caller
            # that does must not be able to pin a note on another pair's meeting.
            raise PermissionDenied("This meeting belongs to another mentorship.")
        if private:
            # Private notes stay on the mentorship page, away from the meeting's.
            raise ValidationError({"body": "Notes on a meeting are shared with your partner."})
        if meeting.status in ("cancelled", "declined"):
            raise ValidationError({"body": "This meeting did not take place, so it has no notes."})
        if meeting.starts_at > (now or timezone.now()):
            raise ValidationError(
                {"body": "Notes from a meeting can be added once it has started."}
            )
    return Note.objects.create(
        mentorship=mentorship,
        author=user,
        body=body,
        private=private,
        meeting_id=meeting.pk if meeting is not None else None,
    )


# --- Meetings held elsewhere ------------------------------------------------------------


def _local_today(mentorship: Mentorship, user: User) -> dt.date:
    profile = Profile.objects.filter(
        organisation_id=mentorship.programme.organisation_id, user=user
    ).first()
    try:
        zone = ZoneInfo(profile.timezone) if profile else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return timezone.now().astimezone(zone).date()


@transaction.atomic
def meeting_log_external(
    *,
    mentorship: Mentorship,
    user: User,
    held_on: dt.date,
    duration_minutes: int,
    note: str = "",
) -> ExternalMeeting:
    """Records a meeting the pair held outside the platform; it is marked self-reported.

    "Today" is the person's own date (their profile's timezone), so someone in Auckland
    can log this morning's meeting while it is still yesterday in UTC.
    """
    _require_member(mentorship, user)
    if held_on > _local_today(mentorship, user):
        raise ValidationError({"held_on": "The date is in the future; log a meeting once held."})
    if held_on < mentorship.created_at.date() - dt.timedelta(days=1):
        raise ValidationError({"held_on": "That is before this mentorship began."})
    if mentorship.ended_at is not None and held_on > mentorship.ended_at.date():
        raise ValidationError({"held_on": "That is after this mentorship ended."})
    if not 5 <= duration_minutes <= 240:
        raise ValidationError({"duration_minutes": "Enter a length from 5 to 240 minutes."})
    note = note.strip()
    if len(note) > 500:
        raise ValidationError({"note": "Keep the note under 500 characters."})
    meeting = ExternalMeeting.objects.create(
        mentorship=mentorship,
        logged_by=user,
        held_on=held_on,
        duration_minutes=duration_minutes,
        note=note,
    )
    event_record(
        organisation=mentorship.programme.organisation,
        actor=user,
        kind=EventKind.MEETING_LOGGED_EXTERNAL,
        data={"mentorship": mentorship.pk, "minutes": duration_minutes, "self_reported": True},
    )
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.MEETING_HELD,
        key=f"held:external:{meeting.pk}",
        actor=user,
        # Noon of the day held: a date only, and noon is that day in every timezone near it.
        at=dt.datetime.combine(held_on, dt.time(12), tzinfo=dt.UTC),
        data={"source": "logged", "external": meeting.pk, "minutes": duration_minutes},
    )
    return meeting


# --- Icebreakers -----------------------------------------------------------------------


def _require_manager(programme: Programme, manager: Membership) -> None:
    if not manager.is_manager or programme.organisation_id != manager.organisation_id:
        raise PermissionDenied


def _clean_icebreaker(meeting_number: int, text: str) -> str:
    if meeting_number not in (1, 2):
        raise ValidationError({"meeting_number": "Choose the first or the second meeting."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the question or prompt."})
    if len(text) > 300:
        raise ValidationError({"text": "Keep it under 300 characters."})
    return text


@transaction.atomic
def icebreaker_create(
    *, programme: Programme, manager: Membership, meeting_number: int, text: str
) -> Icebreaker:
    _require_manager(programme, manager)
    text = _clean_icebreaker(meeting_number, text)
    last = Icebreaker.objects.filter(programme=programme).aggregate(m=Max("position"))["m"]
    return Icebreaker.objects.create(
        programme=programme, meeting_number=meeting_number, text=text, position=(last or 0) + 1
    )


@transaction.atomic
def icebreaker_update(
    *, icebreaker: Icebreaker, manager: Membership, meeting_number: int, text: str
) -> Icebreaker:
    _require_manager(icebreaker.programme, manager)
    icebreaker.text = _clean_icebreaker(meeting_number, text)
    icebreaker.meeting_number = meeting_number
    icebreaker.save(update_fields=["text", "meeting_number"])
    return icebreaker


@transaction.atomic
def icebreaker_delete(*, icebreaker: Icebreaker, manager: Membership) -> None:
    _require_manager(icebreaker.programme, manager)
    icebreaker.delete()
