"""Writes of programme events: schedule, change, cancel, RSVP, "I attended", recording.

Each is one transaction; invitations (.ics, events/calendar.py) leave on commit through
``email_send``. Managers of the programme's organisation schedule; participants whose
enrolment fits the audience answer. A circle's event is for its current members only:
someone who leaves the circle, or falls outside a changed audience, is taken out of it
(answer, place in the room) and their calendar gets a cancellation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.email import Attachment, email_send
from openmentor.events.calendar import event_invitation, event_url
from openmentor.events.models import EventRsvp, ProgrammeEvent
from openmentor.events.selectors import CIRCLE_STATUSES
from openmentor.mentorships.models import Mentorship, MentorshipMember
from openmentor.organisations.models import Membership
from openmentor.programmes.models import Enrolment, Programme
from openmentor.video.models import RoomMember
from openmentor.video.services import room_group_create

FIELDS = ("kind", "title", "description", "starts_at", "ends_at", "audience", "circle", "capacity")
FIELDS_VENUE = ("venue", "external_url")


def _require_manager(programme: Programme, actor: Membership) -> None:
    if not actor.is_manager or actor.organisation_id != programme.organisation_id:
        raise PermissionDenied


def _clean(event: ProgrammeEvent, *, circle_before: int | None = None) -> None:
    errors: dict[str, str] = {}
    if event.audience != ProgrammeEvent.Audience.CIRCLE:
        event.circle = None
    elif event.circle is None:
        errors["circle"] = "Choose the circle the event is for."
    elif not event.circle.is_circle or event.circle.programme_id != event.programme_id:
        # The form offers only this programme's circles: this is a forged choice.
        errors["circle"] = "Choose one of this programme's circles."
    elif event.circle.pk != circle_before and event.circle.status not in CIRCLE_STATUSES:
        state = "is paused" if event.circle.status == Mentorship.Status.PAUSED else "has ended"
        errors["circle"] = (
            f"The {event.circle.topic} circle {state}; choose one being formed or running."
        )
    if not event.title.strip():
        errors["title"] = "Give the event a title."
    if event.starts_at and event.ends_at and event.starts_at >= event.ends_at:
        errors["ends_at"] = "The event must end after it starts."
    if event.capacity is not None and event.capacity < 1:
        errors["capacity"] = "Leave capacity empty for no limit, or give at least 1."
    if event.venue == ProgrammeEvent.Venue.EXTERNAL:
        try:
            URLValidator(schemes=["https", "http"])(event.external_url)
        except ValidationError:
            errors["external_url"] = "Give the https:// link people join the event at."
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["programme", "room", "created_by", "uid"])


def _in_future(event: ProgrammeEvent) -> None:
    if event.starts_at <= timezone.now():
        raise ValidationError({"starts_at": "Choose a start time in the future."})


def _attendees(event: ProgrammeEvent) -> list[User]:
    return [
        r.user for r in event.rsvps.filter(answer=EventRsvp.Answer.GOING).select_related("user")
    ]


def _cancelled_copy(event: ProgrammeEvent) -> ProgrammeEvent:
    """The event as cancelled, for the calendars of people it no longer includes (the
    event itself goes on for the others)."""
    copy = ProgrammeEvent(
        **{f.attname: getattr(event, f.attname) for f in ProgrammeEvent._meta.concrete_fields}
    )
    copy.status = ProgrammeEvent.Status.CANCELLED
    return copy


def _send(event: ProgrammeEvent, people: list[User], kind: str) -> None:
    """One e-mail per person with their .ics (the same UID and current SEQUENCE)."""
    now = timezone.now()
    subjects = {
        "invitation": "Invitation",
        "updated": "Event changed",
        "cancelled": "Event cancelled",
    }
    for person in people:
        content, method = event_invitation(event, person, now=now)
        email_send(
            to=[person.email],
            subject=f"{subjects[kind]}: {event.title}",
            template=f"events/email/{kind}",
            context={"name": person.name, "event": event, "url": event_url(event)},
            attachments=[Attachment("event.ics", content, f"text/calendar; method={method}")],
        )


@transaction.atomic
def event_schedule(
    *, programme: Programme, actor: Membership, values: dict[str, Any]
) -> ProgrammeEvent:
    """Schedules an event; in the group room (made now, hosted by the manager) unless the
    manager gives an external link."""
    _require_manager(programme, actor)
    event = ProgrammeEvent(programme=programme, created_by=actor.user)
    for name in (*FIELDS, *FIELDS_VENUE):
        if name in values:
            setattr(event, name, values[name])
    _clean(event)
    _in_future(event)
    if event.venue == ProgrammeEvent.Venue.ROOM:
        event.room = room_group_create(
            organisation=programme.organisation,
            title=event.title,
            mentors=[actor.user],
            mentees=[],
        )
    event.save()
    return event


@transaction.atomic
def event_update(
    *, event: ProgrammeEvent, actor: Membership, values: dict[str, Any]
) -> ProgrammeEvent:
    """Changes an event; those who said they are going get an update (SEQUENCE + 1)."""
    _require_manager(event.programme, actor)
    event = ProgrammeEvent.objects.select_for_update().get(pk=event.pk)
    if event.status == ProgrammeEvent.Status.CANCELLED:
        raise ValidationError("This event was cancelled; schedule a new one instead.")
    audience_before = (event.audience, event.circle_id)
    # The form works in whole minutes: a start it gives back unchanged has not moved.
    moved = (
        "starts_at" in values and abs((values["starts_at"] - event.starts_at).total_seconds()) >= 60
    )
    for name in FIELDS:
        if name in values:
            setattr(event, name, values[name])
    _clean(event, circle_before=audience_before[1])
    if moved:
        _in_future(event)
    going = _attendees(event)
    outside: set[int] = set()
    if (event.audience, event.circle_id) != audience_before:
        # Those who answered but are not in the new audience (a mentor when it is now for
        # mentees, someone outside the chosen circle) are taken out below.
        answered = set(event.rsvps.values_list("user_id", flat=True))
        outside = answered - _in_audience(event, answered)
        going = [person for person in going if person.pk not in outside]
    if event.capacity is not None and len(going) > event.capacity:
        raise ValidationError(
            {"capacity": f"{len(going)} people are already going: the capacity cannot be lower."}
        )
    event.sequence += 1
    event.save()
    _take_out(event, outside)
    _send(event, going, "updated")
    return event


@transaction.atomic
def event_cancel(*, event: ProgrammeEvent, actor: Membership) -> ProgrammeEvent:
    """Cancels an event; those going get a cancellation (METHOD:CANCEL)."""
    _require_manager(event.programme, actor)
    event = ProgrammeEvent.objects.select_for_update().get(pk=event.pk)
    if event.status == ProgrammeEvent.Status.CANCELLED:
        raise ValidationError("This event is already cancelled.")
    event.status = ProgrammeEvent.Status.CANCELLED
    event.sequence += 1
    event.save(update_fields=["status", "sequence"])
    _send(event, _attendees(event), "cancelled")
    return event


def _audience_roles(event: ProgrammeEvent) -> set[str]:
    if event.audience == ProgrammeEvent.Audience.MENTORS:
        return {Enrolment.Role.MENTOR.value}
    if event.audience == ProgrammeEvent.Audience.MENTEES:
        return {Enrolment.Role.MENTEE.value}
    return set(Enrolment.Role.values)


def _audience(event: ProgrammeEvent) -> QuerySet[Enrolment]:
    """The active enrolments in the event's audience: by role, and for a circle's event
    only those of its current members (not those who left it)."""
    enrolments = Enrolment.objects.filter(
        programme_id=event.programme_id,
        status=Enrolment.Status.ACTIVE,
        role__in=_audience_roles(event),
    )
    if event.audience == ProgrammeEvent.Audience.CIRCLE:
        circle_id = event.circle_id
        assert circle_id is not None  # the check constraint guarantees it
        enrolments = enrolments.filter(
            user_id__in=MentorshipMember.objects.filter(
                mentorship_id=circle_id, left_at__isnull=True
            ).values("user_id")
        )
    return enrolments


def _in_audience(event: ProgrammeEvent, user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(_audience(event).filter(user_id__in=user_ids).values_list("user_id", flat=True))


def _take_out(event: ProgrammeEvent, user_ids: set[int]) -> None:
    """Takes people out of an event whose audience they are no longer in: their answer
    and their place in the group room go, and those who were going get a cancellation
    for their calendars (the same UID)."""
    if not user_ids:
        return
    rsvps = event.rsvps.filter(user_id__in=user_ids)
    going = [r.user for r in rsvps.filter(answer=EventRsvp.Answer.GOING).select_related("user")]
    rsvps.delete()
    if event.room_id is not None:
        RoomMember.objects.filter(
            room_id=event.room_id, user_id__in=user_ids, role=RoomMember.Role.MENTEE
        ).delete()
    _send(_cancelled_copy(event), going, "cancelled")


def event_invited(*, event: ProgrammeEvent, user: User) -> bool:
    """Whether the person is an active participant of the programme in the audience."""
    return _audience(event).filter(user=user).exists()


@transaction.atomic
def event_rsvp(*, event: ProgrammeEvent, user: User, going: bool) -> EventRsvp:
    """Answers an event; "going" sends the invitation and opens the group room to them,
    within the capacity (the event row is locked, so two last places are not both taken)."""
    event = ProgrammeEvent.objects.select_for_update().get(pk=event.pk)
    if not event_invited(event=event, user=user):
        raise PermissionDenied
    if event.status == ProgrammeEvent.Status.CANCELLED:
        raise ValidationError("This event was cancelled.")
    if event.ends_at <= timezone.now():
        raise ValidationError("This event is over.")
    rsvp = EventRsvp.objects.filter(event=event, user=user).first()
    was_going = rsvp is not None and rsvp.answer == EventRsvp.Answer.GOING
    if going and not was_going and event.capacity is not None:
        taken = event.rsvps.filter(answer=EventRsvp.Answer.GOING).count()
        if taken >= event.capacity:
            raise ValidationError(f"The event is full ({event.capacity} places).")
    answer = EventRsvp.Answer.GOING if going else EventRsvp.Answer.NOT_GOING
    if rsvp is None:
        rsvp = EventRsvp.objects.create(event=event, user=user, answer=answer)
    else:
        rsvp.answer = answer
        rsvp.save(update_fields=["answer", "answered_at"])
    if event.room_id is not None:
        if going:
            RoomMember.objects.get_or_create(
                room_id=event.room_id, user=user, defaults={"role": RoomMember.Role.MENTEE}
            )
        else:
            RoomMember.objects.filter(
                room_id=event.room_id, user=user, role=RoomMember.Role.MENTEE
            ).delete()
    if going and not was_going:
        _send(event, [user], "invitation")
    elif was_going and not going:
        _send(_cancelled_copy(event), [user], "cancelled")  # their calendar drops it
    return rsvp


@transaction.atomic
def events_cancel_for_ended_circle(*, circle: Mentorship) -> int:
    """The circle has ended (its last mentor left): its events still to come are
    cancelled, as its meetings are, and those going get the cancellation. Returns how
    many."""
    events = list(
        ProgrammeEvent.objects.select_for_update().filter(
            circle=circle, status=ProgrammeEvent.Status.SCHEDULED, ends_at__gt=timezone.now()
        )
    )
    for event in events:
        event.status = ProgrammeEvent.Status.CANCELLED
        event.sequence += 1
        event.save(update_fields=["status", "sequence"])
        _send(event, _attendees(event), "cancelled")
    return len(events)


@transaction.atomic
def events_circle_member_left(*, circle: Mentorship, user: User) -> None:
    """Someone has left a circle: they are taken out of its events still to come (those
    over keep their answer and attendance, as history)."""
    events = ProgrammeEvent.objects.select_for_update().filter(
        circle=circle,
        status=ProgrammeEvent.Status.SCHEDULED,
        ends_at__gt=timezone.now(),
        pk__in=EventRsvp.objects.filter(user=user).values("event_id"),
    )
    for event in events:
        _take_out(event, {user.pk})


@transaction.atomic
def event_attended(
    *, event: ProgrammeEvent, user: User, now: dt.datetime | None = None
) -> EventRsvp:
    """ "I attended" for an event at an external link: after it starts, by someone going.
    (Events in the group room take attendance from the room's presence instead.)"""
    now = now or timezone.now()
    if event.venue != ProgrammeEvent.Venue.EXTERNAL:
        raise ValidationError("Attendance in the group room is taken from the call itself.")
    rsvp = EventRsvp.objects.select_for_update().filter(event=event, user=user).first()
    if rsvp is None or rsvp.answer != EventRsvp.Answer.GOING:
        raise ValidationError("Only people who said they are going can mark attendance.")
    if now < event.starts_at:
        raise ValidationError("The event has not started yet.")
    if rsvp.attended_at is None:
        rsvp.attended_at = now
        rsvp.save(update_fields=["attended_at"])
    return rsvp


@transaction.atomic
def event_recording_set(*, event: ProgrammeEvent, actor: Membership, url: str) -> ProgrammeEvent:
    """Adds (or clears, with "") the recording link, once the event has started."""
    _require_manager(event.programme, actor)
    if url:
        try:
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError as error:
            raise ValidationError(
                {"recording_url": "Give the recording's https:// link."}
            ) from error
        if event.starts_at > timezone.now():
            raise ValidationError(
                {"recording_url": "Add the recording once the event has taken place."}
            )
    event.recording_url = url
    event.save(update_fields=["recording_url"])
    return event
