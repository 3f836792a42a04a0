"""The read side's own rows: health as last assessed (so the dashboard reads 10,000 states
instead of assessing them on every view) and the weekly reports sent (each once)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HealthSnapshot(models.Model):
    """One open mentorship's health as the periodic refresh last assessed it
    (dashboard.services.health_snapshot_refresh, every ten minutes from the scheduler)."""

    mentorship = models.OneToOneField(
        "mentorships.Mentorship", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=10)
    reasons = models.JSONField(default=list, blank=True)
    action = models.CharField(max_length=300, blank=True)
    assessed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["programme", "state"])]

    def __str__(self) -> str:
        return f"Health of mentorship {self.mentorship_id}: {self.state}"


class WeeklyReportSent(models.Model):
    """The weekly summary e-mailed to one member of the programme team for one week:
    the unique row is what makes a second tick, worker or retry send nothing."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # the Monday the week began
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "week"], name="weekly_report_once_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"Weekly report of {self.week} to user {self.user_id}"
