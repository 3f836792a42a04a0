"""Meetings between the two members of a mentorship, their agendas, reminders and feeds."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models

MAX_MEETING_MINUTES = 240
MAX_LOCATION_LENGTH = 500
JOIN_EARLY_MINUTES = 15
# OpenMentor's own call room (the video app) opens this long before the start and stays
# open this long after the planned end, for meetings that run over.
CALL_ROOM_OPENS_MINUTES = 10
CALL_ROOM_STAYS_MINUTES = 30


def new_uid() -> str:
    # Stable for the meeting's whole life: calendars match updates and cancellations on it.
    return f"{uuid.uuid4()}@openmentor"


class MeetingSeries(models.Model):
    """Meetings proposed together, every `every_weeks` weeks, `count` times in all.

    Each occurrence is its own Meeting (own UID, own invitation), so one can be moved or
    cancelled without touching the others; the series only records how they were made.
    """

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="meeting_series"
    )
    every_weeks = models.PositiveSmallIntegerField()
    count = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every_weeks__gte=1, every_weeks__lte=12),
                name="meeting_series_every_1_to_12_weeks",
            ),
            models.CheckConstraint(
                condition=models.Q(count__gte=2, count__lte=26),
                name="meeting_series_2_to_26_meetings",
            ),
        ]

    def __str__(self) -> str:
        return f"Every {self.every_weeks} weeks, {self.count} times"


class Meeting(models.Model):
    """One meeting: proposed by a member, accepted or declined by the other, or cancelled."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="meetings"
    )
    starts_at = models.DateTimeField()  # aware, stored in UTC
    duration_minutes = models.PositiveSmallIntegerField()
    # Where the pair meets: a video-call link (http or https only, checked by
    # meetings.location before it is saved), or a place or phone number as plain text.
    location = models.CharField(max_length=MAX_LOCATION_LENGTH, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uid = models.CharField(max_length=80, unique=True, default=new_uid, editable=False)
    # iCalendar SEQUENCE: raised on every change a calendar must see (time, place, status).
    sequence = models.PositiveIntegerField(default=0)
    series = models.ForeignKey(
        MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=240),
                name="meeting_lasts_5_to_240_minutes",
            ),
            models.CheckConstraint(
                condition=models.Q(status="cancelled", cancelled_at__isnull=False)
                | ~models.Q(status="cancelled"),
                name="meeting_cancelled_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["mentorship", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"Meeting {self.uid} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.ACCEPTED)

    @property
    def video_link(self) -> str:
        """The location when it is a web link (the only kind ever shown as a link), else ""."""
        from openmentor.meetings.location import location_link

        return location_link(self.location)

    @property
    def join_opens_at(self) -> datetime:
        # The join button opens the call a little early, as people do with meeting rooms.
        return self.starts_at - timedelta(minutes=JOIN_EARLY_MINUTES)

    def call_room_open_at(self, now: datetime) -> bool:
        """Whether the meeting's built-in call room can be entered at `now`."""
        return self.status == self.Status.ACCEPTED and (
            self.starts_at - timedelta(minutes=CALL_ROOM_OPENS_MINUTES)
            <= now
            < self.ends_at + timedelta(minutes=CALL_ROOM_STAYS_MINUTES)
        )

    def call_link_at(self, now: datetime) -> str:
        """The video link to open at `now`: an accepted meeting's link from 15 minutes
        before it starts until it ends; otherwise "" (the meeting page is the way in)."""
        if self.status != self.Status.ACCEPTED or not (self.join_opens_at <= now < self.ends_at):
            return ""
        return self.video_link


class AgendaItem(models.Model):
    """A topic on a meeting's shared agenda; either member adds and ticks items."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    text = models.CharField(max_length=300)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text


class MeetingReminder(models.Model):
    """A reminder sent to one person; the unique row is the claim that makes it send once."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "24h", "24 hours before"
        SOON = "15m", "15 minutes before"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    # The meeting's start when the reminder went out: a rescheduled meeting is reminded again.
    starts_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "kind", "starts_at"],
                name="meeting_reminder_once_per_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder of {self.meeting_id} to {self.user_id}"


class CalendarFeed(models.Model):
    """A private iCalendar subscription URL.

    The address's secret is an HMAC of `seed` under SECRET_KEY, so the person's settings
    can show it again (and they can copy it any time), while the database alone (a
    leaked backup) holds neither the secret nor a way to make it. Lookups go through
    the SHA-256 of the secret, as before; feeds made before `seed` existed have none
    and their address cannot be shown again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    seed = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_live_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id} in {self.organisation_id}"

    @property
    def token(self) -> str:
        """The secret of the address, or "" for a feed made before it could be shown."""
        return feed_token(self.seed) if self.seed else ""


def feed_token(seed: str) -> str:
    from django.utils.crypto import salted_hmac

    return salted_hmac("openmentor.calendar-feed", seed, algorithm="sha256").hexdigest()
