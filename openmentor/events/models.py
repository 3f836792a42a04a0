"""Programme events: a launch webinar, a halfway event, a closing celebration or any other,
held in the product's group room or at an external link, with RSVPs and attendance."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def new_uid() -> str:
    return f"{uuid.uuid4()}@openmentor"


class ProgrammeEvent(models.Model):
    class Kind(models.TextChoices):
        LAUNCH = "launch", "Launch webinar"
        HALFWAY = "halfway", "Halfway event"
        CLOSING = "closing", "Closing celebration"
        OTHER = "other", "Other"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone in the programme"
        MENTORS = "mentors", "Mentors"
        MENTEES = "mentees", "Mentees"
        CIRCLE = "circle", "A circle"

    class Venue(models.TextChoices):
        ROOM = "room", "The programme's group video room"
        EXTERNAL = "external", "An external link"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True, max_length=5000)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    # The circle (a mentorship of kind circle, of the same programme) whose current
    # members are the audience; set exactly when the audience is "circle". A circle is
    # never deleted in the product (it ends), so a deleted one takes its events along.
    circle = models.ForeignKey(
        "mentorships.Mentorship",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="circle_events",
    )
    capacity = models.PositiveIntegerField(null=True, blank=True)  # None: no limit
    venue = models.CharField(max_length=10, choices=Venue.choices, default=Venue.ROOM)
    external_url = models.URLField(blank=True, max_length=500)
    room = models.OneToOneField(
        "video.Room", on_delete=models.SET_NULL, null=True, blank=True, related_name="event"
    )
    recording_url = models.URLField(blank=True, max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # Calendar identity: the same UID for every invitation, SEQUENCE up on each change.
    uid = models.CharField(max_length=100, unique=True, default=new_uid)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="programme_event_starts_before_it_ends",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                name="programme_event_capacity_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(venue="external") | ~models.Q(external_url=""),
                name="programme_event_external_has_link",
            ),
            models.CheckConstraint(
                condition=models.Q(audience="circle", circle__isnull=False)
                | (~models.Q(audience="circle") & models.Q(circle__isnull=True)),
                name="programme_event_circle_iff_circle_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audience_label(self) -> str:
        """Who it is for, as a sentence ends ("for …"): a circle by its topic."""
        if self.audience == self.Audience.CIRCLE and self.circle is not None:
            return f"the {self.circle.topic} circle"
        return self.get_audience_display().lower()


class EventRsvp(models.Model):
    """A participant's answer to an event, and whether they attended."""

    class Answer(models.TextChoices):
        GOING = "going", "Going"
        NOT_GOING = "not_going", "Not going"

    event = models.ForeignKey(ProgrammeEvent, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    answered_at = models.DateTimeField(auto_now=True)
    # From the group room's presence, or the person's "I attended" for an external link.
    attended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="event_rsvp_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.answer} {self.event}"


class EventReminder(models.Model):
    """A reminder sent to one person going to an event; the unique row is the claim that
    makes it send once (however many workers tick), and `starts_at` re-arms it for an
    event moved to a new time."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "day", "A day before"
        SOON = "soon", "15 minutes before"

    event = models.ForeignKey(ProgrammeEvent, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    starts_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user", "kind", "starts_at"], name="event_reminder_once_per_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder of event {self.event_id} to {self.user_id}"
