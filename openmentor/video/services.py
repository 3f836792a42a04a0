"""Writes for call rooms: creating them, presence (join, heartbeat, leave) and chat."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Mentorship
from openmentor.video.models import CallMessage, CallPreference, Presence, Room, RoomMember

if TYPE_CHECKING:
    from openmentor.accounts.models import User
    from openmentor.organisations.models import Organisation

MAX_CHAT_CHARS = 2000
# Pages send a heartbeat every 5 seconds; one missed beat is forgiven at a leave.
HEARTBEAT_GRACE = timedelta(seconds=12)
MAX_PHONE_CHARS = 40


def room_for_meeting(*, meeting: Meeting) -> Room:
    """The meeting's room, created the first time anyone opens it."""
    mentorship = meeting.mentorship
    try:
        with transaction.atomic():
            room, _ = Room.objects.get_or_create(
                meeting=meeting,
                defaults={
                    "kind": Room.Kind.MEETING,
                    "mentorship": mentorship,
                    "organisation_id": mentorship.programme.organisation_id,
                },
            )
    except IntegrityError:
        # Both members opened the page at once: the other request created it.
        room = Room.objects.get(meeting=meeting)
    return room


def room_for_mentorship(*, mentorship: Mentorship) -> Room:
    """The pair's standing room for calls outside planned meetings ("Call now")."""
    try:
        with transaction.atomic():
            room, _ = Room.objects.get_or_create(
                mentorship=mentorship,
                kind=Room.Kind.MENTORSHIP,
                defaults={"organisation_id": mentorship.programme.organisation_id},
            )
    except IntegrityError:
        room = Room.objects.get(mentorship=mentorship, kind=Room.Kind.MENTORSHIP)
    return room


@transaction.atomic
def room_group_create(
    *, organisation: Organisation, title: str, mentors: list[User], mentees: list[User]
) -> Room:
    """A group room for the given people (group meetings and events build on it)."""
    if not mentors:
        raise ValidationError("A group room needs at least one mentor to lead it.")
    if {u.pk for u in mentors} & {u.pk for u in mentees}:
        raise ValidationError("Nobody can be both a mentor and a mentee of one group room.")
    room = Room.objects.create(organisation=organisation, kind=Room.Kind.GROUP, title=title[:200])
    RoomMember.objects.bulk_create(
        [RoomMember(room=room, user=u, role=RoomMember.Role.MENTOR) for u in mentors]
        + [RoomMember(room=room, user=u, role=RoomMember.Role.MENTEE) for u in mentees]
    )
    return room


@transaction.atomic
def presence_join(*, room: Room, user_id: int, client_id: str, now: datetime) -> Presence:
    """Starts a page's presence; any earlier open one of the same person ends now.

    A second tab or a reload takes the call over, so the person is never in the room
    twice (no ghost). A page that reconnects with its own `client_id` continues its
    presence instead of starting a new one.
    """
    same = (
        Presence.objects.select_for_update()
        .filter(room=room, user_id=user_id, client_id=client_id, left_at__isnull=True)
        .first()
    )
    others = Presence.objects.filter(room=room, user_id=user_id, left_at__isnull=True)
    if same is not None:
        others = others.exclude(pk=same.pk)
    others.update(left_at=now)
    if same is not None:
        return same
    return Presence.objects.create(room=room, user_id=user_id, client_id=client_id, joined_at=now)


def presence_heartbeat(*, presence_id: int, media: bool, now: datetime) -> None:
    """A page's "still here": with `media`, the time up to now counts as attended."""
    if not media:
        return
    Presence.objects.filter(pk=presence_id, left_at__isnull=True, media_since__isnull=True).update(
        media_since=now
    )
    Presence.objects.filter(pk=presence_id, left_at__isnull=True).update(confirmed_until=now)


def presence_leave(*, presence_id: int, now: datetime) -> None:
    """Ends a presence. Media confirmed by a heartbeat just before (within one beat and
    a margin) is taken to have flowed until the leave, so the last seconds count."""
    Presence.objects.filter(
        pk=presence_id,
        left_at__isnull=True,
        confirmed_until__gte=now - HEARTBEAT_GRACE,
        confirmed_until__lt=now,
    ).update(confirmed_until=now)
    Presence.objects.filter(pk=presence_id, left_at__isnull=True).update(left_at=now)


def call_message_send(*, room: Room, author_id: int, body: str) -> CallMessage:
    """Stores a chat line of a call; refuses empty or over-long ones."""
    text = body.strip()
    if not text:
        raise ValidationError("A chat message cannot be empty.")
    if len(text) > MAX_CHAT_CHARS:
        raise ValidationError(f"A chat message can be at most {MAX_CHAT_CHARS:,} characters.")
    return CallMessage.objects.create(room=room, author_id=author_id, body=text)


def call_preference_save(
    *, user: User, organisation: Organisation, phone: str, share_phone: bool, auto_audio_only: bool
) -> CallPreference:
    """Saves a person's call settings; a shared phone must actually be given."""
    phone = phone.strip()
    if len(phone) > MAX_PHONE_CHARS:
        raise ValidationError(
            {"phone": f"A phone number can be at most {MAX_PHONE_CHARS} characters."}
        )
    if phone and not all(c.isdigit() or c in "+ -()" for c in phone):
        raise ValidationError({"phone": "Use digits, spaces, +, - and brackets only."})
    if share_phone and not phone:
        raise ValidationError({"phone": "Give a phone number to share it."})
    preference, _ = CallPreference.objects.update_or_create(
        user=user,
        organisation=organisation,
        defaults={"phone": phone, "share_phone": share_phone, "auto_audio_only": auto_audio_only},
    )
    return preference
