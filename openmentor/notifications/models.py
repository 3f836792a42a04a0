from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """An in-app notice for one person in one organisation (reminders, nudges, replies)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Waiting for the person's weekly digest (their preference for this kind is "digest");
    # cleared when the digest goes out.
    digest_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "organisation", "read_at"]),
            models.Index(fields=["digest_pending", "user"]),
        ]

    def __str__(self) -> str:
        return self.text


class Category(models.TextChoices):
    """What a notification is about, as a person chooses which e-mails to get."""

    NUDGES = "nudges", "Reminders to meet when a mentorship goes quiet"
    FEEDBACK = "feedback", "Questions after meetings and check-ins"
    MENTORSHIP = "mentorship", "Changes to your mentorships"
    MEETINGS = "meetings", "Meeting reminders and changes"
    MILESTONES = "milestones", "Milestones and celebrations"
    ALERTS = "alerts", "Alerts about your programmes (programme team)"
    # The weekly summary is itself weekly: "each one" and "in a digest" both send it.
    REPORTS = "reports", "The weekly report on your programmes (programme team)"


class EmailChoice(models.TextChoices):
    IMMEDIATE = "immediate", "Each one by e-mail"
    DIGEST = "digest", "In a weekly digest"
    OFF = "off", "No e-mail (in the app only)"


class NotificationPreference(models.Model):
    """How one person wants one category of notification e-mailed, in one organisation.

    No row means each one by e-mail. The in-app notice is always made: it is the record.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=12, choices=Category.choices)
    email = models.CharField(max_length=10, choices=EmailChoice.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "category"], name="notification_pref_once"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    category__in=[
                        "nudges",
                        "feedback",
                        "mentorship",
                        "meetings",
                        "milestones",
                        "alerts",
                        "reports",
                    ]
                ),
                name="notification_pref_category_known",
            ),
            models.CheckConstraint(
                condition=models.Q(email__in=["immediate", "digest", "off"]),
                name="notification_pref_email_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.email}"
