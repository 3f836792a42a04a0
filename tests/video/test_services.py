"""Rooms, presence and attendance: who counts as having attended, and for how long."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from openmentor.video import ice, janus, selectors, services
from openmentor.video.models import Presence, Room
from tests.meetings.helpers import make_meeting
from tests.messaging.conftest import new_participant
from tests.video.conftest import Pair

pytestmark = pytest.mark.django_db


def _attend(room: Room, user_id: int, client: str, start, minutes: float) -> Presence:  # type: ignore[no-untyped-def]
    presence = services.presence_join(room=room, user_id=user_id, client_id=client, now=start)
    services.presence_heartbeat(presence_id=presence.pk, media=True, now=start)
    end = start + timedelta(minutes=minutes)
    services.presence_heartbeat(presence_id=presence.pk, media=True, now=end)
    services.presence_leave(presence_id=presence.pk, now=end)
    return presence


def test_one_room_per_meeting_and_one_standing_room_per_pair(pair: Pair) -> None:
    meeting = make_meeting(pair.mentorship, timezone.now())
    first = services.room_for_meeting(meeting=meeting)
    assert services.room_for_meeting(meeting=meeting) == first
    standing = services.room_for_mentorship(mentorship=pair.mentorship)
    assert services.room_for_mentorship(mentorship=pair.mentorship) == standing
    assert standing != first
    assert first.organisation_id == standing.organisation_id == pair.tenant.organisation.pk
    with pytest.raises(IntegrityError):
        Room.objects.create(
            organisation=pair.tenant.organisation, kind=Room.Kind.GROUP, mentorship=pair.mentorship
        )


def test_a_pair_that_both_attended_five_minutes_held_the_meeting(pair: Pair) -> None:
    meeting = make_meeting(pair.mentorship, timezone.now())
    room = services.room_for_meeting(meeting=meeting)
    start = timezone.now()
    _attend(room, pair.mentor.user.pk, "a", start, 12)
    _attend(room, pair.mentee.user.pk, "b", start + timedelta(minutes=1), 4)
    attendance = selectors.meeting_attendance(meeting=meeting)
    assert attendance is not None
    assert attendance.seconds == {pair.mentor.user.pk: 720, pair.mentee.user.pk: 240}
    assert not attendance.held  # the mentee stayed 4 minutes
    _attend(room, pair.mentee.user.pk, "c", start + timedelta(minutes=6), 2)
    attendance = selectors.meeting_attendance(meeting=meeting)
    assert attendance is not None and attendance.held
    assert attendance.seconds[pair.mentee.user.pk] == 360


def test_only_time_with_media_confirmed_by_heartbeats_counts(pair: Pair) -> None:
    room = services.room_for_mentorship(mentorship=pair.mentorship)
    start = timezone.now()
    presence = services.presence_join(
        room=room, user_id=pair.mentee.user.pk, client_id="x", now=start
    )
    # Half an hour in the room without media flowing, then leaves: nothing attended.
    services.presence_heartbeat(
        presence_id=presence.pk, media=False, now=start + timedelta(minutes=30)
    )
    services.presence_leave(presence_id=presence.pk, now=start + timedelta(minutes=30))
    assert selectors.attended_seconds(room=room) == {}
    # A page whose last heartbeat was 3 minutes in counts 3 minutes even if it left later.
    presence = services.presence_join(
        room=room, user_id=pair.mentor.user.pk, client_id="y", now=start
    )
    services.presence_heartbeat(presence_id=presence.pk, media=True, now=start)
    services.presence_heartbeat(
        presence_id=presence.pk, media=True, now=start + timedelta(minutes=3)
    )
    services.presence_leave(presence_id=presence.pk, now=start + timedelta(minutes=40))
    assert selectors.attended_seconds(room=room) == {pair.mentor.user.pk: 180}


def test_a_second_tab_takes_over_and_overlapping_time_counts_once(pair: Pair) -> None:
    room = services.room_for_mentorship(mentorship=pair.mentorship)
    start = timezone.now()
    user = pair.mentee.user.pk
    first = services.presence_join(room=room, user_id=user, client_id="tab1", now=start)
    services.presence_heartbeat(presence_id=first.pk, media=True, now=start)
    services.presence_heartbeat(presence_id=first.pk, media=True, now=start + timedelta(minutes=5))
    second = services.presence_join(
        room=room, user_id=user, client_id="tab2", now=start + timedelta(minutes=4)
    )
    first.refresh_from_db()
    assert first.left_at == start + timedelta(minutes=4)  # the ghost is gone
    services.presence_heartbeat(presence_id=second.pk, media=True, now=start + timedelta(minutes=4))
    services.presence_heartbeat(presence_id=second.pk, media=True, now=start + timedelta(minutes=8))
    assert selectors.attended_seconds(room=room) == {user: 480}
    # The same page reconnecting continues its presence instead of starting another.
    again = services.presence_join(
        room=room, user_id=user, client_id="tab2", now=start + timedelta(minutes=9)
    )
    assert again.pk == second.pk
    assert Presence.objects.filter(room=room, left_at__isnull=True).count() == 1


def test_a_group_is_held_when_its_mentor_and_one_mentee_attended(pair: Pair) -> None:
    organisation = pair.tenant.organisation
    mentor = pair.mentor.user
    mentees = [pair.mentee.user, new_participant(organisation).user]
    room = services.room_group_create(
        organisation=organisation, title="Circle", mentors=[mentor], mentees=mentees
    )
    start = timezone.now()
    members = [mentor.pk, *(u.pk for u in mentees)]
    _attend(room, mentees[0].pk, "a", start, 20)
    _attend(room, mentees[1].pk, "b", start, 20)
    assert not selectors.room_attendance(room=room, mentor_ids=[mentor.pk], member_ids=members).held
    _attend(room, mentor.pk, "c", start, 5)
    assert selectors.room_attendance(room=room, mentor_ids=[mentor.pk], member_ids=members).held


def test_group_rooms_need_a_mentor_and_distinct_roles(pair: Pair) -> None:
    organisation = pair.tenant.organisation
    with pytest.raises(ValidationError, match="at least one mentor"):
        services.room_group_create(
            organisation=organisation, title="x", mentors=[], mentees=[pair.mentee.user]
        )
    with pytest.raises(ValidationError, match="both a mentor and a mentee"):
        services.room_group_create(
            organisation=organisation,
            title="x",
            mentors=[pair.mentee.user],
            mentees=[pair.mentee.user],
        )
    assert not Room.objects.exists()


@pytest.mark.parametrize(
    ("body", "says"),
    [("", "cannot be empty"), ("   ", "cannot be empty"), ("x" * 2001, "at most 2,000")],
)
def test_bad_chat_lines_are_refused(pair: Pair, body: str, says: str) -> None:
    room = services.room_for_mentorship(mentorship=pair.mentorship)
    with pytest.raises(ValidationError, match=says):
        services.call_message_send(room=room, author_id=pair.mentee.user.pk, body=body)
    assert not room.messages.exists()


def test_turn_credentials_are_what_coturn_use_auth_secret_computes(settings) -> None:  # type: ignore[no-untyped-def]
    settings.VIDEO_ICE_URLS = [
        "stun:turn.example.org:3478",
        "turn:turn.example.org:3478?transport=udp",
    ]
    settings.VIDEO_TURN_SECRET = "north-wind"
    settings.VIDEO_TURN_TTL_SECONDS = 600
    servers = ice.ice_servers_for(user_id=7, now=1_000_000.0)
    assert servers[0] == {"urls": ["stun:turn.example.org:3478"]}
    turn = servers[1]
    assert turn["username"] == "1000600:7"
    expected = base64.b64encode(
        hmac.new(b"north-wind", b"1000600:7", hashlib.sha1).digest()
    ).decode()
    assert turn["credential"] == expected
    # Without a secret a TURN server is never handed out (it would be an open relay).
    settings.VIDEO_TURN_SECRET = ""
    assert ice.ice_servers_for(user_id=7, now=1_000_000.0) == [
        {"urls": ["stun:turn.example.org:3478"]}
    ]


def test_each_group_room_always_goes_to_the_same_janus(settings) -> None:  # type: ignore[no-untyped-def]
    settings.VIDEO_JANUS_URLS = []
    assert janus.janus_room_for(5) is None
    settings.VIDEO_JANUS_URLS = ["http://j1:8088/janus", "http://j2:8088/janus"]
    picks = {janus.janus_room_for(room_id).server for room_id in range(50)}  # type: ignore[union-attr]
    assert picks == {"http://j1:8088/janus", "http://j2:8088/janus"}
    assert janus.janus_room_for(7) == janus.janus_room_for(7)
    assert janus.janus_origins() == ["http://j1:8088", "http://j2:8088"]


def test_call_preferences_refuse_a_shared_phone_that_is_missing_or_not_a_number(pair: Pair) -> None:
    user, organisation = pair.mentee.user, pair.tenant.organisation
    with pytest.raises(ValidationError, match="Give a phone number"):
        services.call_preference_save(
            user=user, organisation=organisation, phone=" ", share_phone=True, auto_audio_only=False
        )
    with pytest.raises(ValidationError, match="digits"):
        services.call_preference_save(
            user=user,
            organisation=organisation,
            phone="call me",
            share_phone=True,
            auto_audio_only=False,
        )
    services.call_preference_save(
        user=user,
        organisation=organisation,
        phone="+44 20 7946 0000",
        share_phone=True,
        auto_audio_only=True,
    )
    room = services.room_for_mentorship(mentorship=pair.mentorship)
    assert selectors.shared_phones(room=room, user_ids=[user.pk]) == {user.pk: "+44 20 7946 0000"}


def test_the_seconds_since_the_last_heartbeat_count_when_leaving_soon_after(pair: Pair) -> None:
    room = services.room_for_mentorship(mentorship=pair.mentorship)
    start = timezone.now()
    user = pair.mentee.user.pk
    presence = services.presence_join(room=room, user_id=user, client_id="p", now=start)
    services.presence_heartbeat(presence_id=presence.pk, media=True, now=start)
    services.presence_leave(presence_id=presence.pk, now=start + timedelta(seconds=4))
    assert selectors.attended_seconds(room=room) == {user: 4}
    # A page silent for a minute before its leave gets no credit for that minute.
    later = start + timedelta(minutes=10)
    presence = services.presence_join(room=room, user_id=user, client_id="q", now=later)
    services.presence_heartbeat(presence_id=presence.pk, media=True, now=later)
    services.presence_heartbeat(
        presence_id=presence.pk, media=True, now=later + timedelta(seconds=30)
    )
    services.presence_leave(presence_id=presence.pk, now=later + timedelta(seconds=90))
    assert selectors.attended_seconds(room=room) == {user: 34}
