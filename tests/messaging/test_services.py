"""Sending messages and moving read positions: what is stored, what is refused."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openmentor.mentorships.models import Mentorship
from openmentor.messaging import attachments, services
from openmentor.messaging.models import Message, ReadState
from tests.messaging import files
from tests.messaging.conftest import Pair, stored_files

pytestmark = pytest.mark.django_db


def test_a_message_is_stored_trimmed_and_pushed_live_after_commit(
    pair: Pair, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        mock.patch("openmentor.messaging.services.message_broadcast") as broadcast,
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = services.message_send(
            mentorship=pair.mentorship, author=pair.mentee.user, body="  Hello there!\n"
        )
        broadcast.assert_not_called()  # not before the commit
    broadcast.assert_called_once_with(message, organisation_slug=pair.tenant.organisation.slug)
    message.refresh_from_db()
    assert message.body == "Hello there!"
    assert message.author == pair.mentee.user
    # Writing is reading: the author has nothing unread up to their own message.
    state = ReadState.objects.get(mentorship=pair.mentorship, user=pair.mentee.user)
    assert state.last_read_at == message.created_at


def test_someone_outside_the_pair_cannot_write(pair: Pair) -> None:
    for outsider in (pair.tenant.manager.user, pair.tenant.owner.user):
        with pytest.raises(ValidationError, match="Only the members"):
            services.message_send(mentorship=pair.mentorship, author=outsider, body="Hi")
    assert not Message.objects.exists()


def test_an_ended_mentorship_is_read_only(pair: Pair) -> None:
    Mentorship.objects.filter(pk=pair.mentorship.pk).update(
        status=Mentorship.Status.ENDED, ended_at=timezone.now()
    )
    pair.mentorship.refresh_from_db()
    with pytest.raises(ValidationError, match="has ended"):
        services.message_send(mentorship=pair.mentorship, author=pair.mentor.user, body="Hi")
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("", "Write a message"),
        ("  \n\t ", "Write a message"),
        ("x" * 5001, "at most 5,000 characters; this one has 5,001"),
    ],
)
def test_bad_bodies_are_refused_at_the_body(pair: Pair, body: str, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.message_send(mentorship=pair.mentorship, author=pair.mentee.user, body=body)
    assert says in refused.value.message_dict["body"][0]
    assert not Message.objects.exists()
    assert not ReadState.objects.exists()


def test_five_thousand_characters_is_allowed(pair: Pair) -> None:
    message = services.message_send(
        mentorship=pair.mentorship, author=pair.mentee.user, body="x" * 5000
    )
    assert len(message.body) == 5000


def test_an_attachment_is_stored_under_a_generated_name_with_its_real_type(
    pair: Pair, media_root: Path
) -> None:
    message = services.message_send(
        mentorship=pair.mentorship,
        author=pair.mentor.user,
        body="",
        attachment=files.upload("My CV.docx", files.office("docx"), "text/html"),
    )
    assert message.attachment_name == "My CV.docx"
    assert message.attachment_content_type == attachments.DOCX
    assert message.attachment.name.startswith(f"messaging/{pair.mentorship.pk}/")
    assert "My CV" not in message.attachment.name and "My_CV" not in message.attachment.name
    [stored] = stored_files(media_root)
    assert stored.read_bytes() == files.office("docx")


def test_a_refused_attachment_stores_nothing_at_all(pair: Pair, media_root: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        services.message_send(
            mentorship=pair.mentorship,
            author=pair.mentor.user,
            body="See attached",
            attachment=files.upload("report.pdf", files.HTML),
        )
    assert "not really a .pdf" in refused.value.message_dict["attachment"][0]
    assert not Message.objects.exists()
    assert stored_files(media_root) == []


def test_reading_moves_forward_only(pair: Pair) -> None:
    now = timezone.now()
    user = pair.mentee.user
    services.conversation_mark_read(mentorship=pair.mentorship, user=user, at=now)
    services.conversation_mark_read(mentorship=pair.mentorship, user=user, at=now - timedelta(1))
    assert ReadState.objects.get(mentorship=pair.mentorship, user=user).last_read_at == now
    later = now + timedelta(minutes=5)
    services.conversation_mark_read(mentorship=pair.mentorship, user=user, at=later)
    assert ReadState.objects.get(mentorship=pair.mentorship, user=user).last_read_at == later
    assert ReadState.objects.count() == 1


def test_only_members_have_a_read_position(pair: Pair) -> None:
    with pytest.raises(ValidationError):
        services.conversation_mark_read(mentorship=pair.mentorship, user=pair.tenant.manager.user)
    assert not ReadState.objects.exists()
