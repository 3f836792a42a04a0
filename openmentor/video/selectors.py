"""Reads for call rooms: who may enter, whether a room is open, who attended.

Access rule, in one place (`room_access`): only the members of the room's owner may
enter — the mentor and mentee of a meeting's or a standing room's mentorship, the listed
members of a group room — and only while they still belong to the room's organisation.
Managers are not members: a call is as private as the pair's conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from openmentor.meetings.models import CALL_ROOM_OPENS_MINUTES, CALL_ROOM_STAYS_MINUTES, Meeting
from openmentor.mentorships import members
from openmentor.mentorships.models import Mentorship
from openmentor.organisations.models import Membership
from openmentor.video.models import CallMessage, CallPreference, Presence, Room, RoomMember

if TYPE_CHECKING:
    from openmentor.accounts.models import User

OPENS_BEFORE = timedelta(minutes=CALL_ROOM_OPENS_MINUTES)
# A meeting that runs over keeps its room this long after its planned end.
STAYS_OPEN_AFTER = timedelta(minutes=CALL_ROOM_STAYS_MINUTES)
HELD_AFTER = timedelta(minutes=5)
CHAT_HISTORY = 200


@dataclass
class RoomAccess:
    """What the signalling server needs to know about a member's room, loaded once."""

    room: Room
    member_ids: list[int]
    names: dict[int, str]
    mentor_ids: list[int] = field(default_factory=list)
    is_group: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    closed_reason: str = ""
    what: str = "meeting"  # what the room is for, in the messages: a meeting or an event

    def is_open(self, now: datetime) -> bool:
        if self.closed_reason:
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return not (self.closes_at is not None and now >= self.closes_at)

    def why_closed(self, now: datetime) -> str:
        if self.closed_reason:
            return self.closed_reason
        if self.opens_at is not None and now < self.opens_at:
            return (
                f"The room opens at {self.opens_at:%H:%M} UTC, 10 minutes before the {self.what}."
            )
        if self.closes_at is not None and now >= self.closes_at:
            return f"This {self.what} has ended, so its room is closed."
        return ""


def _mentorship_members(mentorship: Mentorship) -> tuple[list[int], dict[int, str]]:
    people = members.people_of(mentorship)
    return [p.user.pk for p in people], {p.user.pk: p.user.name for p in people}


def room_access(*, user: User, room_id: int) -> RoomAccess | None:
    """The room and its members if `user` may enter it now or later, else None.

    None also for an unknown room, so ids cannot be probed.
    """
    room = (
        Room.objects.select_related(
            "meeting", "mentorship__mentor", "mentorship__mentee", "mentorship__programme", "event"
        )
        .filter(pk=room_id)
        .first()
    )
    if room is None:
        return None
    if not Membership.objects.filter(
        user_id=user.pk, organisation_id=room.organisation_id
    ).exists():
        return None
    if room.kind == Room.Kind.GROUP:
        rows = list(RoomMember.objects.filter(room=room).select_related("user"))
        ids = [r.user_id for r in rows]
        if user.pk not in ids:
            return None
        access = RoomAccess(
            room=room,
            member_ids=ids,
            names={r.user_id: r.user.name for r in rows},
            mentor_ids=[r.user_id for r in rows if r.role == RoomMember.Role.MENTOR],
            is_group=True,
        )
        _event_window(access)
        return access
    mentorship = room.mentorship
    assert mentorship is not None  # the check constraint guarantees it
    ids, names = _mentorship_members(mentorship)
    if user.pk not in ids:
        return None
    access = RoomAccess(
        room=room,
        member_ids=ids,
        names=names,
        mentor_ids=members.mentor_ids(mentorship),
        # A circle's meetings and standing room are group calls (SFU or mesh).
        is_group=mentorship.is_circle,
    )
    if room.kind == Room.Kind.MEETING:
        meeting = room.meeting
        assert meeting is not None
        access.opens_at = meeting.starts_at - OPENS_BEFORE
        access.closes_at = meeting.ends_at + STAYS_OPEN_AFTER
        if meeting.status != Meeting.Status.ACCEPTED:
            access.closed_reason = "The room opens once the meeting has been accepted."
    elif mentorship.status != Mentorship.Status.ACTIVE:
        access.closed_reason = "Calls are possible while the mentorship is active."
    return access


# The events app's status of a cancelled event, read through the relation its model
# declares (`ProgrammeEvent.room`, related name "event"): video sits below events and
# does not import it. tests/events keeps the two equal.
EVENT_CANCELLED = "cancelled"


def _event_window(access: RoomAccess) -> None:
    """A group room held for a programme event opens and closes like a meeting's room:
    10 minutes before the start until 30 minutes after the end; never when cancelled."""
    event = getattr(access.room, "event", None)
    if event is None:
        return  # a group room of its own (a circle's): open whenever its members like
    access.what = "event"
    access.opens_at = event.starts_at - OPENS_BEFORE
    access.closes_at = event.ends_at + STAYS_OPEN_AFTER
    if event.status == EVENT_CANCELLED:
        access.closed_reason = "This event was cancelled, so its room is closed."


def call_messages(*, room: Room) -> list[CallMessage]:
    """The last CHAT_HISTORY chat lines of a room, oldest first."""
    rows = (
        CallMessage.objects.filter(room=room)
        .select_related("author")
        .order_by("-created_at", "-id")
    )
    return list(reversed(rows[:CHAT_HISTORY]))


def preference_for(*, user_id: int, organisation_id: int) -> CallPreference | None:
    return CallPreference.objects.filter(user_id=user_id, organisation_id=organisation_id).first()


def shared_phones(*, room: Room, user_ids: list[int]) -> dict[int, str]:
    """Phone numbers the given people chose to show to their call partners."""
    rows = CallPreference.objects.filter(
        organisation_id=room.organisation_id, user_id__in=user_ids, share_phone=True
    ).exclude(phone="")
    return {row.user_id: row.phone for row in rows}


def _merged_seconds(intervals: list[tuple[datetime, datetime]]) -> int:
    # Two tabs of one person overlap for a moment at a takeover: count that time once.
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return int(total)


def attended_seconds(*, room: Room) -> dict[int, int]:
    """Seconds each person attended: time with media confirmed by heartbeats."""
    intervals: dict[int, list[tuple[datetime, datetime]]] = {}
    for presence in Presence.objects.filter(room=room, media_since__isnull=False):
        assert presence.media_since is not None
        end = presence.confirmed_until
        if presence.left_at is not None and end is not None:
            end = min(end, presence.left_at)
        if end is None or end <= presence.media_since:
            continue
        intervals.setdefault(presence.user_id, []).append((presence.media_since, end))
    return {user_id: _merged_seconds(spans) for user_id, spans in intervals.items()}


def presences(*, room: Room) -> QuerySet[Presence]:
    return Presence.objects.filter(room=room).select_related("user")


@dataclass
class Attendance:
    seconds: dict[int, int]
    held: bool


def room_attendance(
    *, room: Room, mentor_ids: list[int], member_ids: list[int], group: bool | None = None
) -> Attendance:
    """Attended seconds per person, and whether the call counts as held: a pair both for
    5 minutes; a group (a group room, or a circle's meeting) its mentor (any one) and at
    least one other member for 5 minutes."""
    seconds = attended_seconds(room=room)
    enough = {uid for uid, s in seconds.items() if s >= HELD_AFTER.total_seconds()}
    if group is None:
        group = room.kind == Room.Kind.GROUP
    if group:
        held = bool(enough & set(mentor_ids)) and bool(enough - set(mentor_ids))
    else:
        held = set(member_ids) <= enough
    return Attendance(seconds=seconds, held=held)


def meeting_attendance(*, meeting: Meeting) -> Attendance | None:
    """Attendance of a meeting's call, or None when nobody ever opened its room.

    This replaces self-reported "held" wherever it exists: reports should read it.
    """
    room = Room.objects.filter(meeting=meeting).first()
    if room is None:
        return None
    mentorship = meeting.mentorship
    return room_attendance(
        room=room,
        mentor_ids=members.mentor_ids(mentorship),
        member_ids=list(mentorship.member_ids()),
        group=mentorship.is_circle,
    )
