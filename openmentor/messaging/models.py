"""Messages between the two members of a mentorship.

Messages are private to the pair: no manager page reads them (see selectors.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

MAX_BODY_CHARS = 5000


def attachment_path(instance: Message, filename: str) -> str:
    # Never the uploaded name: it could be guessed, collide or carry path tricks. The
    # original name is kept in `attachment_name` and sent back as Content-Disposition.
    return f"messaging/{instance.mentorship_id}/{uuid.uuid4().hex}"


class Message(models.Model):
    """One message in a mentorship's conversation: text, an attachment, or both."""

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attachment = models.FileField(upload_to=attachment_path, blank=True, max_length=200)
    attachment_name = models.CharField(max_length=255, blank=True)
    # The type found by reading the file, never the one the browser claimed.
    attachment_content_type = models.CharField(max_length=120, blank=True)
    attachment_size = models.PositiveIntegerField(null=True, blank=True)
    # Set when the recipient was e-mailed about this message (it waited unread an hour),
    # so each message is part of at most one e-mail.
    email_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["mentorship", "created_at"]),
            models.Index(fields=["email_notified_at", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(body="") | ~models.Q(attachment=""),
                name="message_has_body_or_attachment",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in mentorship {self.mentorship_id}"


class ReadState(models.Model):
    """How far one member has read one conversation: messages after `last_read_at` are unread."""

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField()
    # In a circle, messages up to here were covered by an e-mail to this member: a circle's
    # message has several readers, so its own `email_notified_at` cannot say who was told.
    emailed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mentorship", "user"], name="readstate_one_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read mentorship {self.mentorship_id} up to {self.last_read_at}"
