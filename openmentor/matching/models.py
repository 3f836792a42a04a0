from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

DEFAULT_WEIGHTS = {"skills": 1.0, "goals": 1.0, "bio": 0.0, "availability": 1.0, "seniority": 0.5}


def default_weights() -> dict[str, float]:
    return dict(DEFAULT_WEIGHTS)


class MatchingSettings(models.Model):
    """A programme's matching controls, all editable by its managers."""

    class SameDepartment(models.TextChoices):
        ALLOW = "allow", "Allow"
        AVOID = "avoid", "Avoid (a score penalty)"
        FORBID = "forbid", "Forbid"

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="matching_settings"
    )
    # Factor weights: skills, goals, bio, availability, seniority (0-5 each). Questionnaire
    # questions carry their own weight (Question.matching_weight).
    weights = models.JSONField(default=default_weights)
    require_common_language = models.BooleanField(default=True)
    max_timezone_gap_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(14)]
    )
    min_availability_overlap_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(7 * 24 * 60)]
    )
    same_department = models.CharField(
        max_length=6, choices=SameDepartment.choices, default=SameDepartment.ALLOW
    )
    forbid_reporting_line = models.BooleanField(default=True)
    # Reverse mentoring programmes: the mentor must be less senior than the mentee (else
    # the engine only prefers it, through the seniority factor).
    require_junior_mentor = models.BooleanField(default=False)
    min_score = models.FloatField(
        default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    candidates_per_mentee = models.PositiveSmallIntegerField(
        default=50, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    # Mentee choice.
    recommendations_shown = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    max_open_requests = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How many mentors a mentee may ask at once.",
    )
    response_days = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(14)]
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_score__gte=0, min_score__lte=1),
                name="matching_settings_min_score_0_to_1",
            )
        ]

    def __str__(self) -> str:
        return f"Matching settings of {self.programme}"


class MatchingRun(models.Model):
    """One run of the engine over a programme; its result is a proposal until published."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Proposal ready"
        FAILED = "failed", "Failed"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded by a newer run"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="matching_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0)  # 0-1, shown as a bar
    stage = models.CharField(max_length=100, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the run saw (ids, capacities, wants, settings), to detect a stale proposal.
    snapshot = models.JSONField(default=dict, blank=True)
    # The engine's JSON result (docs/matching-format.md), with engine ids "u<user id>".
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # The worker (openmentor.core.leases) running it; blank while queued.
    worker_id = models.CharField(max_length=100, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One run at a time per programme: a second click while one is queued or
            # running fails here instead of starting a competing run.
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(status__in=["queued", "running"]),
                name="matching_run_one_active_per_programme",
            )
        ]

    def __str__(self) -> str:
        return f"Matching run {self.pk} of {self.programme}"


class MatchingPin(models.Model):
    """A manager's decision on a pair that later runs keep: lock it in, or forbid it."""

    class Kind(models.TextChoices):
        LOCK = "lock", "Locked"
        FORBID = "forbid", "Forbidden"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="matching_pins"
    )
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "mentee", "mentor"], name="matching_pin_once_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.mentee_id}→{self.mentor_id}"


class MentorRequest(models.Model):
    """Mentee choice: a mentee asks a mentor (or a mentor invites a suggested mentee).

    The mentee ranks their choices; up to MatchingSettings.max_open_requests are pending at
    once; when one is declined or expires the next choice is asked.
    """

    class Direction(models.TextChoices):
        MENTEE_ASKS = "mentee_asks", "Mentee asks mentor"
        MENTOR_INVITES = "mentor_invites", "Mentor invites mentee"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting its turn"
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "No answer in time"
        WITHDRAWN = "withdrawn", "Withdrawn"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="mentor_requests"
    )
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(
        max_length=14, choices=Direction.choices, default=Direction.MENTEE_ASKS
    )
    rank = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True, max_length=1000)
    score = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["mentee_id", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "mentee", "mentor"],
                condition=models.Q(status__in=["queued", "pending"]),
                name="mentor_request_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~models.Q(mentee=models.F("mentor")),
                name="mentor_request_not_to_self",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.mentee_id} → {self.mentor_id} ({self.status})"
