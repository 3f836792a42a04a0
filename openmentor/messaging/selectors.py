"""Reads for conversations, always scoped to the organisation and to the reader.

Messages are private to the two members of a mentorship: unlike the mentorship's other
pages, managers do not see them (a conversation is where people say what they would not
say in front of the programme's organisers). So every read here starts from a
mentorship the reader belongs to.
"""

from __future__ import annotations

import functools
import zoneinfo
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404

from openmentor.mentorships.members import member_q
from openmentor.mentorships.selectors import mentorship_for_member
from openmentor.messaging.models import Message, ReadState
from openmentor.organisations.models import Membership
from openmentor.people.models import Profile

if TYPE_CHECKING:
    from openmentor.accounts.models import User
    from openmentor.mentorships.models import Mentorship

PAGE_SIZE = 200

__all__ = [
    "PAGE_SIZE",
    "conversation_for_member",
    "conversation_for_user",
    "conversation_page",
    "message_with_attachment",
    "messages_after",
    "reader_timezone",
    "unread_counts",
    "unread_messages",
]


def conversation_for_member(*, membership: Membership, mentorship_id: int) -> Mentorship:
    """The mentorship whose conversation the person may read: only its two members."""
    mentorship = mentorship_for_member(membership=membership, mentorship_id=mentorship_id)
    # The selector scoped it to this organisation: reuse the loaded row rather than query
    # it again (the websocket consumer must not query lazily in its event loop).
    mentorship.programme.organisation = membership.organisation
    return mentorship


def conversation_for_user(*, user: User, mentorship_id: int) -> Mentorship | None:
    """For the websocket, which has no organisation in its URL: the mentorship if `user` is
    one of its two members and still belongs to its organisation, else None."""
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(user=user, organisation__programmes__mentorships__pk=mentorship_id)
        .first()
    )
    if membership is None:
        return None
    try:
        return conversation_for_member(membership=membership, mentorship_id=mentorship_id)
    except Http404:
        return None


def messages_after(*, mentorship: Mentorship, after_id: int) -> list[Message]:
    """The first PAGE_SIZE messages after `after_id`, for a page catching up on reconnect."""
    rows = Message.objects.filter(mentorship=mentorship, pk__gt=after_id).select_related("author")
    return list(rows.order_by("created_at", "id")[:PAGE_SIZE])


def conversation_page(
    *, mentorship: Mentorship, before_id: int | None = None
) -> tuple[list[Message], bool]:
    """Up to PAGE_SIZE messages, oldest first, ending just before `before_id` if given.

    Returns the messages and whether earlier ones exist.
    """
    rows = Message.objects.filter(mentorship=mentorship).select_related("author")
    if before_id is not None:
        rows = rows.filter(pk__lt=before_id)
    newest_first = list(rows.order_by("-created_at", "-id")[: PAGE_SIZE + 1])
    has_earlier = len(newest_first) > PAGE_SIZE
    return list(reversed(newest_first[:PAGE_SIZE])), has_earlier


def message_with_attachment(*, mentorship: Mentorship, message_id: int) -> Message:
    message = (
        Message.objects.filter(mentorship=mentorship, pk=message_id).exclude(attachment="").first()
    )
    if message is None:
        raise Http404("No such attachment")
    return message


def _unread_by(rows: QuerySet[Message], user: User) -> QuerySet[Message]:
    """Of `rows`, those the partner wrote after the reader last read the conversation."""
    read_since = ReadState.objects.filter(
        mentorship=OuterRef("mentorship_id"), user=user, last_read_at__gte=OuterRef("created_at")
    )
    return rows.exclude(author=user).exclude(Exists(read_since))


def unread_counts(*, membership: Membership) -> dict[int, int]:
    """{mentorship id: messages waiting for the person} for their mentorships here, in one query.

    Mentorships with nothing unread are absent.
    """
    user = membership.user
    mine = Message.objects.filter(
        member_q(user, "mentorship__"),
        mentorship__programme__organisation=membership.organisation,
    )
    rows = _unread_by(mine, user).values("mentorship_id").annotate(n=Count("id")).order_by()
    return {row["mentorship_id"]: row["n"] for row in rows}


def unread_messages(*, mentorship: Mentorship, user: User) -> QuerySet[Message]:
    return _unread_by(Message.objects.filter(mentorship=mentorship), user)


def reader_timezone(*, membership: Membership) -> str:
    """The person's own time zone (from their profile here) for showing message times."""
    name = (
        Profile.objects.filter(organisation=membership.organisation, user=membership.user)
        .values_list("timezone", flat=True)
        .first()
    )
    return name if name and name in _known_timezones() else "UTC"


@functools.cache
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
