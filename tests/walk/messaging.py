"""Walk maker for message attachments: a message with a file in the pair's conversation."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from openmentor.mentorships.models import Mentorship
from openmentor.messaging.models import Message
from openmentor.organisations.models import Organisation

# One small file reused by every walk, so walking leaves no litter in MEDIA_ROOT.
WALK_FILE = "messaging/walk/agenda.txt"


def message_id(organisation: Organisation, values: dict[str, Any]) -> int:
    mentorship = Mentorship.objects.get(pk=values["mentorship_id"])
    if not default_storage.exists(WALK_FILE):
        default_storage.save(WALK_FILE, ContentFile(b"Agenda for our first meeting\n"))
    return Message.objects.create(
        mentorship=mentorship,
        author=mentorship.mentor,
        body="Here is the agenda",
        attachment=WALK_FILE,
        attachment_name="agenda.txt",
        attachment_content_type="text/plain",
        attachment_size=29,
    ).pk


MAKERS = {"message_id": message_id}
