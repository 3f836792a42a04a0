from __future__ import annotations

from django.conf import settings
from django.db import models


class ChatKind(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class ChatChannel(models.Model):
    """A Slack or Teams incoming webhook where an organisation's managers are told of
    mentorships at risk and get the weekly summary."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="chat_channels"
    )
    kind = models.CharField(max_length=5, choices=ChatKind.choices)
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=2000)
    at_risk = models.BooleanField(default=True)
    weekly_summary = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["slack", "teams"]), name="chat_channel_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ChatOptIn(models.Model):
    """A participant's own incoming webhook for their meeting reminders and nudges."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_opt_ins"
    )
    kind = models.CharField(max_length=5, choices=ChatKind.choices)
    url = models.URLField(max_length=2000)
    meeting_reminders = models.BooleanField(default=True)
    nudges = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="chat_opt_in_one_per_person"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["slack", "teams"]), name="chat_opt_in_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Chat opt-in of {self.user_id}"


class ChatMessage(models.Model):
    """One message sent (or tried) to a chat webhook: the log managers look at."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey(
        ChatChannel, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    opt_in = models.ForeignKey(
        ChatOptIn, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    topic = models.CharField(max_length=40)
    text = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__isnull=False) | models.Q(opt_in__isnull=False),
                name="chat_message_has_a_target",
            )
        ]

    def __str__(self) -> str:
        return self.topic
