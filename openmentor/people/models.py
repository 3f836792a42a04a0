from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    """A person's mentoring profile within one organisation, reused across its programmes.

    Protected attributes (gender, ethnicity, age) are deliberately not here: they are
    stored apart and never reach matching.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="profiles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profiles"
    )
    job_title = models.CharField(max_length=150, blank=True)
    department = models.CharField(max_length=100, blank=True)
    seniority_years = models.PositiveSmallIntegerField(null=True, blank=True)
    bio = models.TextField(blank=True)
    goals = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    languages = models.JSONField(default=list, blank=True)
    skills_offered = models.JSONField(default=list, blank=True)
    skills_wanted = models.JSONField(default=list, blank=True)
    availability = models.JSONField(default=list, blank=True)
    mentor_capacity = models.PositiveSmallIntegerField(default=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="profile_one_per_person_per_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(mentor_capacity__lte=20), name="profile_capacity_at_most_20"
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"
