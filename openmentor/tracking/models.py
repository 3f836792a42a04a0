"""Per-programme tracking settings and the rows that make nudges and closures happen once."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TrackingSettings(models.Model):
    """A programme's nudge ladder and survey rhythm; a programme without a row uses the
    defaults below (nudges at 1.5×, 3× and 5× the agreed cadence; closing after 90 quiet
    days with a 7-day warning; a pulse survey at day 30, then every 60 days)."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="tracking_settings"
    )
    first_nudge_factor = models.DecimalField(max_digits=4, decimal_places=2, default=1.5)
    second_nudge_factor = models.DecimalField(max_digits=4, decimal_places=2, default=3)
    third_nudge_factor = models.DecimalField(max_digits=4, decimal_places=2, default=5)
    # 0: never close a quiet mentorship by itself.
    close_after_days = models.PositiveSmallIntegerField(default=90)
    warning_days = models.PositiveSmallIntegerField(default=7)
    pulse_first_day = models.PositiveSmallIntegerField(default=30)
    pulse_every_days = models.PositiveSmallIntegerField(default=60)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_nudge_factor__gte=1)
                & models.Q(second_nudge_factor__gt=models.F("first_nudge_factor"))
                & models.Q(third_nudge_factor__gt=models.F("second_nudge_factor"))
                & models.Q(third_nudge_factor__lte=20),
                name="tracking_nudges_rise",
            ),
            models.CheckConstraint(
                condition=models.Q(close_after_days=0)
                | models.Q(close_after_days__gte=14, close_after_days__lte=730),
                name="tracking_close_after_range",
            ),
            models.CheckConstraint(
                condition=models.Q(warning_days__gte=1, warning_days__lte=30),
                name="tracking_warning_days_range",
            ),
            models.CheckConstraint(
                condition=models.Q(pulse_first_day__gte=7, pulse_first_day__lte=365)
                & models.Q(pulse_every_days__gte=14, pulse_every_days__lte=365),
                name="tracking_pulse_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Tracking settings of programme {self.programme_id}"


class Nudge(models.Model):
    """One step of the ladder sent to one person for one quiet spell.

    A quiet spell starts at the pair's last meeting (or their start, or keeping the
    mentorship open after a warning); the unique row is the claim, so nobody gets the same
    nudge twice however many workers run the ladder. The manager's "this pair has gone
    quiet" is the second step's row for the manager.
    """

    class Audience(models.TextChoices):
        MEMBER = "member", "Member of the pair"
        MANAGER = "manager", "Programme manager"

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="nudges"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=8, choices=Audience.choices)
    step = models.PositiveSmallIntegerField()
    spell_start = models.DateTimeField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "user", "step", "spell_start"], name="nudge_once"
            ),
            models.CheckConstraint(condition=models.Q(step__in=[1, 2, 3]), name="nudge_step"),
        ]
        indexes = [models.Index(fields=["user", "audience", "sent_at"])]

    def __str__(self) -> str:
        return f"Nudge {self.step} of mentorship {self.mentorship_id} to {self.user_id}"


class ClosureWarning(models.Model):
    """ "This mentorship will close on …": sent once per quiet spell; either member cancels
    it with one click, otherwise the mentorship closes at `closes_at`."""

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="closure_warnings"
    )
    spell_start = models.DateTimeField()
    sent_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "spell_start"], name="closure_warning_once_per_spell"
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("sent_at")),
                name="closure_warning_closes_later",
            ),
            models.CheckConstraint(
                condition=models.Q(cancelled_at__isnull=True) | models.Q(closed_at__isnull=True),
                name="closure_warning_cancelled_or_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"Closure warning of mentorship {self.mentorship_id}"
