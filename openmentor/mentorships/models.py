from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTextTransform

if TYPE_CHECKING:
    from openmentor.accounts.models import User

OPEN_STATUSES = ("proposed", "active", "paused")


class Mentorship(models.Model):
    """A mentor and a mentee working together within a programme — or a group circle.

    Lifecycle: proposed → active ⇄ paused → ended; every change is a MentorshipTransition
    (who, when, from, to). Created by the mentorships service, by hand by a manager or by
    the matching app when a proposal is published.

    A pair's two people are its `mentor` and `mentee`, which never change. A circle
    (one or two mentors with up to `capacity` mentees around a `topic`) lists its people
    in MentorshipMember rows, which change as people join and leave; its `mentor` is its
    lead mentor and its `mentee` is empty. Who belongs is asked through `member_ids()`
    and `mentorships.members` (docs/decisions/0010-circles.md), never by comparing ids.
    """

    class Kind(models.TextChoices):
        PAIR = "pair", "Pair"
        CIRCLE = "circle", "Group circle"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        ENDED = "ended", "Ended"

    class Source(models.TextChoices):
        MANAGER = "manager", "Created by a manager"
        MATCHING = "matching", "Whole-cohort matching"
        CHOICE = "choice", "Mentee's choice"
        REMATCH = "rematch", "Rematch"

    class EndReason(models.TextChoices):
        GOALS_MET = "goals_met", "Our goals were met"
        SCHEDULE = "schedule", "Our schedules did not fit"
        CHEMISTRY = "chemistry", "It was not the right fit"
        OTHER = "other", "Something else"
        # Set by the nudge ladder only, never offered in the ending form.
        INACTIVE = "inactive", "Closed after a long quiet spell"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="mentorships"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships_as_mentor"
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorships_as_mentee",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.PAIR)
    # A circle's subject and how many mentees it takes (pairs leave both empty).
    topic = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANAGER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=12, choices=EndReason.choices, blank=True)
    # The agreement both accept before the mentorship becomes active.
    agreed_cadence_weeks = models.PositiveSmallIntegerField(default=2)
    agreed_session_minutes = models.PositiveSmallIntegerField(default=30)
    confidentiality_accepted = models.BooleanField(default=False)
    mentor_hopes = models.TextField(blank=True)
    mentee_hopes = models.TextField(blank=True)
    mentor_accepted_at = models.DateTimeField(null=True, blank=True)
    mentee_accepted_at = models.DateTimeField(null=True, blank=True)
    # Why they were matched (from the engine's explanation), shown as "why this match".
    match_score = models.FloatField(null=True, blank=True)
    match_reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "mentor", "mentee"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="mentorship_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~models.Q(mentor=models.F("mentee")),
                name="mentorship_mentor_is_not_mentee",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="pair", mentee__isnull=False, capacity__isnull=True)
                | models.Q(kind="circle", mentee__isnull=True, capacity__gte=1, capacity__lte=50),
                name="mentorship_kind_has_its_people",
            ),
            models.CheckConstraint(
                condition=models.Q(status="ended", ended_at__isnull=False)
                | ~models.Q(status="ended"),
                name="mentorship_ended_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["mentee", "status"]),
        ]

    def __str__(self) -> str:
        if self.is_circle:
            return f"Circle: {self.topic}"
        return f"{self.mentor} mentoring {self.mentee}"

    @property
    def is_circle(self) -> bool:
        return self.kind == self.Kind.CIRCLE

    def member_ids(self) -> tuple[int, ...]:
        """Who belongs now: a pair's two people, a circle's members who have not left
        (read once per instance; `members.circle_members` loads names too)."""
        if not self.is_circle:
            return (self.mentor_id, self.pair_mentee_id)
        cached: tuple[int, ...] | None = getattr(self, "_member_ids", None)
        if cached is None:
            cached = tuple(
                MentorshipMember.objects.filter(mentorship=self, left_at__isnull=True)
                .order_by("role", "joined_at", "pk")
                .values_list("user_id", flat=True)
            )
            self._member_ids = cached
        return cached

    @property
    def pair_mentee(self) -> User:
        """The mentee of a pair. Code that reaches this with a circle has not been taught
        about circles yet: it fails loudly rather than acting for one person of many."""
        if self.mentee is None:
            raise TypeError(f"Mentorship {self.pk} is a circle: it has members, not one mentee")
        return self.mentee

    @property
    def pair_mentee_id(self) -> int:
        if self.mentee_id is None:
            raise TypeError(f"Mentorship {self.pk} is a circle: it has members, not one mentee")
        return self.mentee_id

    def partner_of(self, user_id: int) -> int:
        mentee_id = self.pair_mentee_id
        return mentee_id if user_id == self.mentor_id else self.mentor_id


class MentorshipMember(models.Model):
    """A person in a circle, as one of its mentors or mentees, from joining to leaving.

    Leaving keeps the row (with `left_at`) so history and reports still know who was
    there; someone added again gets their row back.
    """

    class Role(models.TextChoices):
        MENTOR = "mentor", "Mentor"
        MENTEE = "mentee", "Mentee"

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=6, choices=Role.choices)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    # The circle's agreement, accepted by each member for themselves.
    accepted_at = models.DateTimeField(null=True, blank=True)
    hopes = models.TextField(blank=True)

    class Meta:
        ordering = ["role", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "user"], name="mentorship_member_once_per_circle"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["mentor", "mentee"]), name="mentorship_member_role"
            ),
            models.CheckConstraint(
                condition=models.Q(left_at__isnull=True)
                | models.Q(left_at__gte=models.F("joined_at")),
                name="mentorship_member_leaves_after_joining",
            ),
        ]
        indexes = [models.Index(fields=["user", "left_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} as {self.role} in circle {self.mentorship_id}"


class MentorshipTransition(models.Model):
    """Who changed a mentorship's status, and when."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class EndingReflection(models.Model):
    """What a person wrote for themselves when ending a mentorship.

    Kept apart from Mentorship so that no query of the mentorship can carry it to the
    partner or to a manager: it is read only by `selectors.reflections_of(author=...)`.
    """

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "author"], name="reflection_once_per_author"
            )
        ]

    def __str__(self) -> str:
        return f"Reflection on mentorship {self.mentorship_id}"


class RematchRequest(models.Model):
    """A person who ended (or saw end) a mentorship asks for a new match."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting"
        RESOLVED = "resolved", "Resolved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="rematch_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rematch_requests"
    )
    role = models.CharField(max_length=10)  # the requester's role: mentor or mentee
    excluded_partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    previous_mentorship = models.ForeignKey(
        Mentorship, on_delete=models.SET_NULL, null=True, related_name="rematch_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    new_mentorship = models.ForeignKey(
        Mentorship, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["previous_mentorship", "requester"],
                condition=models.Q(status="open"),
                name="rematch_one_open_per_person_and_mentorship",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["mentor", "mentee"]), name="rematch_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"Rematch for {self.requester} as {self.role}"


class Goal(models.Model):
    """Something the pair works towards; both members can update it."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set once, the first time the goal is reached: the celebration happens once.
    reached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="goal_progress_percent"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    text = models.CharField(max_length=200)
    done_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Note(models.Model):
    """A note on the mentorship: shared with the partner, or private to its author."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    private = models.BooleanField(default=False)
    # Set for shared notes written on a meeting's page after it; the note stays with the
    # mentorship if the meeting row ever goes.
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["mentorship", "private"])]

    def __str__(self) -> str:
        return f"Note by user {self.author_id}"


class Icebreaker(models.Model):
    """A conversation starter for the first or second meeting, edited by managers."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="icebreakers"
    )
    meeting_number = models.PositiveSmallIntegerField(
        choices=[(1, "First meeting"), (2, "Second meeting")]
    )
    text = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["meeting_number", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(meeting_number__in=[1, 2]), name="icebreaker_first_or_second"
            )
        ]

    def __str__(self) -> str:
        return self.text


class ExternalMeeting(models.Model):
    """A meeting the pair held outside the platform, logged afterwards (self-reported)."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="external_meetings"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    held_on = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=240),
                name="external_meeting_5_to_240_minutes",
            )
        ]

    def __str__(self) -> str:
        return f"Meeting on {self.held_on} (self-reported)"


class Activity(models.Model):
    """One thing that happened in a mentorship, recorded once where it happens.

    The activity record: relationship health, nudges and reports read these rows rather
    than reconstructing history from the current state of meetings, messages and ratings.
    `key` names the happening (`held:meeting:12`), so recording it again is a no-op.
    Written only through `mentorships.activity.activity_record`.
    """

    class Kind(models.TextChoices):
        MATCHED = "matched", "Matched"
        STARTED = "started", "Agreement accepted"
        MEETING_SCHEDULED = "meeting_scheduled", "Meeting scheduled"
        MEETING_HELD = "meeting_held", "Meeting held"
        MEETING_MISSED = "meeting_missed", "Meeting missed"
        FEEDBACK_GIVEN = "feedback_given", "Feedback given"
        CHECKIN_ANSWERED = "checkin_answered", "Check-in answered"
        GOAL_REACHED = "goal_reached", "Goal reached"
        MESSAGE_SENT = "message_sent", "Message sent"
        NUDGED = "nudged", "Nudged"
        MANAGER_ALERTED = "manager_alerted", "Manager alerted"
        CLOSURE_WARNED = "closure_warned", "Warned of closing"
        KEPT_OPEN = "kept_open", "Kept open after a warning"
        MILESTONE = "milestone", "Milestone reached"
        ENDED = "ended", "Ended"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="activities"
    )
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField()
    key = models.CharField(max_length=120, unique=True)
    # Small facts about the happening (meeting id, source, the mentee's shared rating);
    # never a private comment.
    data = models.JSONField(default=dict, blank=True)
    # A meeting's source ("call", "logged", "reported"), kept by the database itself so the
    # programme dashboard counts 100,000 meetings per week from an index alone, without
    # reading each row's JSON.
    source = models.GeneratedField(
        expression=KeyTextTransform("source", "data"),
        output_field=models.CharField(max_length=20, null=True),
        db_persist=True,
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["mentorship", "kind", "occurred_at"]),
            models.Index(fields=["programme", "kind", "occurred_at", "source"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "matched",
                        "started",
                        "meeting_scheduled",
                        "meeting_held",
                        "meeting_missed",
                        "feedback_given",
                        "checkin_answered",
                        "goal_reached",
                        "message_sent",
                        "nudged",
                        "manager_alerted",
                        "closure_warned",
                        "kept_open",
                        "milestone",
                        "ended",
                    ]
                ),
                name="activity_kind_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} in mentorship {self.mentorship_id} at {self.occurred_at:%Y-%m-%d}"
