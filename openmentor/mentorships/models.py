from __future__ import annotations

from django.conf import settings
from django.db import models

OPEN_STATUSES = ("proposed", "active", "paused")


class Mentorship(models.Model):
    """A mentor and a mentee working together within a programme.

    Lifecycle: proposed → active ⇄ paused → ended; every change is a MentorshipTransition
    (who, when, from, to). Created by the mentorships service, by hand by a manager or by
    the matching app when a proposal is published.
    """

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

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="mentorships"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships_as_mentor"
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentorships_as_mentee"
    )
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
        return f"{self.mentor} mentoring {self.mentee}"

    def member_ids(self) -> tuple[int, int]:
        return (self.mentor_id, self.mentee_id)

    def partner_of(self, user_id: int) -> int:
        return self.mentee_id if user_id == self.mentor_id else self.mentor_id


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
