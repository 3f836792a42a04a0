"""Writing messages and read positions; e-mailing about messages left unread."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from openmentor.core.email import email_send
from openmentor.mentorships import members
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.mentorships.models import Mentorship
from openmentor.messaging.attachments import inspect_attachment
from openmentor.messaging.live import message_broadcast
from openmentor.messaging.models import MAX_BODY_CHARS, Message, ReadState

if TYPE_CHECKING:
    from openmentor.accounts.models import User

# A message e-mail goes out once a message has waited this long unread.
UNREAD_EMAIL_AFTER = timedelta(hours=1)
# Older unread messages are not e-mailed about: after a long worker outage, a burst of
# stale "you have a message" e-mails helps nobody, and the window keeps the query small.
UNREAD_EMAIL_LOOKBACK = timedelta(days=3)


def body_error(body: str, *, has_attachment: bool) -> str | None:
    """Why a message body cannot be sent, or None; shared by the form and the websocket."""
    # PostgreSQL cannot store NUL in text, and a lone UTF-16 surrogate (possible in JSON,
    # "\ud800") cannot be encoded as UTF-8 for any database.
    if "\x00" in body:
        return "A message cannot contain the NUL character (code 0). Remove it and send again."
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:
        return (
            "The message holds a broken character (a lone UTF-16 surrogate, as an emoji cut "
            "in half). Remove it and send again."
        )
    if len(body) > MAX_BODY_CHARS:
        return (
            f"A message can be at most {MAX_BODY_CHARS:,} characters; this one has "
            f"{len(body):,}. Split it into two messages."
        )
    if not body and not has_attachment:
        return "Write a message (or attach a file) before sending."
    return None


def message_send(
    *,
    mentorship: Mentorship,
    author: User,
    body: str,
    attachment: UploadedFile | None = None,
) -> Message:
    """Stores a message from one member to the other and pushes it to open pages on commit.

    Raises ValidationError (keyed by field: body, attachment) and stores nothing when the
    message cannot be sent.
    """
    if author.pk not in mentorship.member_ids():
        raise ValidationError("Only the members of a mentorship can write in it.")
    if mentorship.status == Mentorship.Status.ENDED:
        raise ValidationError(
            "This mentorship has ended, so no new messages can be sent. "
            "The conversation stays here for you to read."
        )
    body = body.strip()
    errors: dict[str, str] = {}
    problem = body_error(body, has_attachment=attachment is not None)
    if problem:
        errors["body"] = problem
    inspected = None
    if attachment is not None:
        try:
            inspected = inspect_attachment(attachment)
        except ValidationError as error:
            errors["attachment"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    slug = mentorship.programme.organisation.slug
    with transaction.atomic():
        message = Message(mentorship=mentorship, author=author, body=body)
        if attachment is not None and inspected is not None:
            message.attachment = attachment  # type: ignore[assignment]
            message.attachment_name = inspected.name
            message.attachment_content_type = inspected.content_type
            message.attachment_size = inspected.size
        message.save()
        # Writing a message means having read the conversation up to it.
        _read_up_to(mentorship=mentorship, user=author, at=message.created_at)
        activity_record(
            mentorship=mentorship,
            kind=ActivityKind.MESSAGE_SENT,
            key=f"message:{message.pk}",
            actor=author,
            at=message.created_at,
        )
        transaction.on_commit(lambda: message_broadcast(message, organisation_slug=slug))
    return message


def _read_up_to(*, mentorship: Mentorship, user: User, at: datetime) -> None:
    # Only ever forward: a late "read" from a slow page must not make messages unread.
    moved = ReadState.objects.filter(mentorship=mentorship, user=user, last_read_at__lt=at).update(
        last_read_at=at
    )
    if not moved:
        ReadState.objects.get_or_create(
            mentorship=mentorship, user=user, defaults={"last_read_at": at}
        )


def conversation_mark_read(
    *, mentorship: Mentorship, user: User, at: datetime | None = None
) -> None:
    """Records that `user` has read the conversation up to `at` (now by default)."""
    if user.pk not in mentorship.member_ids():
        raise ValidationError("Only the members of a mentorship have a read position in it.")
    with transaction.atomic():
        _read_up_to(mentorship=mentorship, user=user, at=at or timezone.now())


def _waiting_unread(*, since: datetime, until: datetime) -> list[Message]:
    """Messages created in [since, until] that no e-mail covered and the recipient has not read."""

    def read_by(member: str) -> Exists:
        return Exists(
            ReadState.objects.filter(
                mentorship=OuterRef("mentorship_id"),
                user=OuterRef(f"mentorship__{member}_id"),
                last_read_at__gte=OuterRef("created_at"),
            )
        )

    return list(
        Message.objects.filter(
            email_notified_at__isnull=True,
            created_at__gt=since,
            created_at__lte=until,
            # One e-mail mark per message fits a pair's one recipient; a circle's members
            # are e-mailed by `_circle_unread_emails`, from their read states.
            mentorship__kind=Mentorship.Kind.PAIR,
        )
        .annotate(read_by_mentor=read_by("mentor"), read_by_mentee=read_by("mentee"))
        .filter(
            Q(author=F("mentorship__mentor"), read_by_mentee=False)
            | Q(author=F("mentorship__mentee"), read_by_mentor=False)
        )
        .select_related(
            "author",
            "mentorship__mentor",
            "mentorship__mentee",
            "mentorship__programme__organisation",
        )
        .order_by("created_at", "id")
    )


def unread_emails_send(*, now: datetime) -> int:
    """E-mails each person once about a conversation whose messages have waited an hour unread.

    One e-mail per conversation and batch, however many messages it holds: it covers
    every message of the partner not yet read or e-mailed about (the newer ones too), and
    marks them, so no message is e-mailed twice. Returns the number of e-mails queued.
    """
    due = _waiting_unread(since=now - UNREAD_EMAIL_LOOKBACK, until=now - UNREAD_EMAIL_AFTER)
    batches: dict[tuple[int, int], Message] = {}
    for message in due:
        batches.setdefault((message.mentorship_id, message.author_id), message)
    sent = 0
    for first in batches.values():
        if _batch_email(first=first, now=now):
            sent += 1
    return sent + _circle_unread_emails(now=now)


def _circle_unread_emails(*, now: datetime) -> int:
    """A circle's members, each e-mailed once about the messages of the others that have
    waited an hour unread (one e-mail for all of them, whoever wrote them); each member's
    read state remembers how far the e-mails went, so nothing is e-mailed twice."""
    since, until = now - UNREAD_EMAIL_LOOKBACK, now - UNREAD_EMAIL_AFTER
    circle_ids = set(
        Message.objects.filter(
            created_at__gt=since, created_at__lte=until, mentorship__kind=Mentorship.Kind.CIRCLE
        ).values_list("mentorship_id", flat=True)
    )
    circles = (
        Mentorship.objects.filter(pk__in=circle_ids)
        .select_related("programme__organisation")
        .prefetch_related(members.current_members_prefetch())
    )
    sent = 0
    for circle in circles:
        for person in members.people_of(circle):
            if _circle_member_email(circle=circle, user=person.user, now=now):
                sent += 1
    return sent


def _circle_member_email(*, circle: Mentorship, user: User, now: datetime) -> bool:
    since, until = now - UNREAD_EMAIL_LOOKBACK, now - UNREAD_EMAIL_AFTER
    with transaction.atomic():
        state, _ = ReadState.objects.select_for_update().get_or_create(
            mentorship=circle, user=user, defaults={"last_read_at": circle.created_at}
        )
        floor = max(since, state.last_read_at, state.emailed_until or since)
        others = Message.objects.filter(mentorship=circle, created_at__gt=floor).exclude(
            author=user
        )
        first = others.filter(created_at__lte=until).select_related("author").first()
        if first is None:
            return False
        # Like a pair's e-mail, it covers the newer unread messages too.
        batch = list(others.filter(created_at__lte=now))
        state.emailed_until = now
        state.save(update_fields=["emailed_until"])
        if not user.is_active:
            return False
        organisation = circle.programme.organisation
        authors = {m.author_id for m in batch}
        email_send(
            to=[user.email],
            subject=(
                f"{len(batch)} new message{'s' if len(batch) != 1 else ''} in the "
                f"{circle.topic} circle on OpenMentor"
            ),
            template="messaging/email/unread",
            context={
                "recipient": user,
                "author": first.author,
                "others": len(authors) - 1,
                "circle": circle,
                "organisation": organisation,
                "count": len(batch),
                "attachments": sum(1 for m in batch if m.attachment),
                "path": reverse("conversation", args=[organisation.slug, circle.pk]),
            },
        )
    return True


def _batch_email(*, first: Message, now: datetime) -> bool:
    mentorship = first.mentorship
    recipient = (
        mentorship.pair_mentee if first.author_id == mentorship.mentor_id else mentorship.mentor
    )
    with transaction.atomic():
        batch = list(
            Message.objects.select_for_update()
            .filter(
                mentorship=mentorship,
                author_id=first.author_id,
                email_notified_at__isnull=True,
                created_at__gte=first.created_at,
                created_at__lte=now,
            )
            .order_by("created_at", "id")
        )
        # A read may have landed since the first query: check again under the lock.
        read = ReadState.objects.filter(mentorship=mentorship, user=recipient).first()
        if read is not None:
            batch = [m for m in batch if m.created_at > read.last_read_at]
        if not batch:
            return False
        Message.objects.filter(pk__in=[m.pk for m in batch]).update(email_notified_at=now)
        if not recipient.is_active:
            return False
        organisation = mentorship.programme.organisation
        email_send(
            to=[recipient.email],
            subject=(
                f"{first.author.name} sent you "
                f"{'a message' if len(batch) == 1 else f'{len(batch)} messages'} on OpenMentor"
            ),
            template="messaging/email/unread",
            context={
                "recipient": recipient,
                "author": first.author,
                "organisation": organisation,
                "count": len(batch),
                "attachments": sum(1 for m in batch if m.attachment),
                "path": reverse("conversation", args=[organisation.slug, mentorship.pk]),
            },
        )
    return True
