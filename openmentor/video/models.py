"""Call rooms, who was in them and for how long, and the chat beside the video.

A room belongs to exactly one thing: a meeting (opens 10 minutes before it starts), a
mentorship (its standing room for "Call now"), or a group (its members listed in
RoomMember; the community features build on it). Who may enter is always derived from
that owner, never from anything in the link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Room(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        MENTORSHIP = "mentorship", "Standing room of a mentorship"
        GROUP = "group", "Group"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    meeting = models.OneToOneField(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="video_room",
    )
    mentorship = models.ForeignKey(
        "mentorships.Mentorship",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="video_rooms",
    )
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Each kind has exactly its own owner: no room that two things could claim.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="meeting", meeting__isnull=False, mentorship__isnull=False)
                    | models.Q(kind="mentorship", meeting__isnull=True, mentorship__isnull=False)
                    | models.Q(kind="group", meeting__isnull=True, mentorship__isnull=True)
                ),
                name="video_room_owner_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["mentorship"],
                condition=models.Q(kind="mentorship"),
                name="video_room_one_standing_per_mentorship",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} room {self.pk}"


class RoomMember(models.Model):
    """Who may join a group room, and whether they lead it (counts for "held")."""

    class Role(models.TextChoices):
        MENTOR = "mentor", "Mentor"
        MENTEE = "mentee", "Mentee"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=6, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="video_room_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in room {self.room_id}"


class Presence(models.Model):
    """One page's time in a room: from join to leave, confirmed by heartbeats.

    `confirmed_until` moves only on heartbeats sent while media flows, so a page left
    open on a dead connection does not count as attending.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=40)
    joined_at = models.DateTimeField()
    media_since = models.DateTimeField(null=True, blank=True)
    confirmed_until = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        indexes = [models.Index(fields=["room", "user"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_at__isnull=True)
                | models.Q(left_at__gte=models.F("joined_at")),
                name="video_presence_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in room {self.room_id} from {self.joined_at:%H:%M:%S}"


class CallMessage(models.Model):
    """A chat line written during a call; kept with the room (and so with its meeting)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.CharField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Call message {self.pk} in room {self.room_id}"


class CallPreference(models.Model):
    """A person's call settings in one organisation: the phone shown to call partners
    (only when shared) and whether a poor link switches them to audio by itself."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    phone = models.CharField(max_length=40, blank=True)
    share_phone = models.BooleanField(default=False)
    auto_audio_only = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="video_preference_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"Call preferences of {self.user_id}"
