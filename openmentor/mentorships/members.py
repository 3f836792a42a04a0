"""Who belongs to a mentorship, in one place, for pairs and circles alike.

A pair's people are its `mentor` and `mentee` columns; a circle's are its current
MentorshipMember rows (docs/decisions/0010-circles.md). Every app that asks "is this
person in this mentorship?" or "who else is in it?" asks here, so that a circle gets what
a pair gets without each app learning two shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q

from openmentor.mentorships.models import Mentorship, MentorshipMember

if TYPE_CHECKING:
    from openmentor.accounts.models import User


@dataclass(frozen=True)
class Person:
    user: User
    role: str  # "mentor" or "mentee"
    accepted_at: datetime | None = None  # when they accepted the agreement


@dataclass(frozen=True)
class Named:
    """Something named like a person in a sentence ("with …"): a circle."""

    name: str


# Set by `current_members_prefetch()` on lists of mentorships, so that pages listing
# several circles read their people without a query per circle.
PREFETCHED = "current_member_rows"


def current_members_prefetch() -> Any:
    return Prefetch(
        "members",
        queryset=MentorshipMember.objects.filter(left_at__isnull=True)
        .select_related("user")
        .order_by("role", "joined_at", "pk"),
        to_attr=PREFETCHED,
    )


def member_q(user: User | int | list[int], prefix: str = "") -> Q:
    """A filter on Mentorship (or, with `prefix="mentorship__"`, on rows that belong to
    one): those `user` (or any of a list of user ids) belongs to now, as either side of a
    pair or as a circle member who has not left."""
    ids = user if isinstance(user, list) else [user if isinstance(user, int) else user.pk]
    in_circles = MentorshipMember.objects.filter(user_id__in=ids, left_at__isnull=True).values(
        "mentorship_id"
    )
    pair = Q(**{f"{prefix}mentor_id__in": ids}) | Q(**{f"{prefix}mentee_id__in": ids})
    return (Q(**{f"{prefix}kind": Mentorship.Kind.PAIR}) & pair) | Q(
        **{f"{prefix}kind": Mentorship.Kind.CIRCLE, f"{prefix}pk__in": in_circles}
    )


def people_of(mentorship: Mentorship) -> list[Person]:
    """Everyone in the mentorship now, mentors first, with their user rows (one query for
    a circle, none for a pair whose mentor and mentee are loaded)."""
    if not mentorship.is_circle:
        return [
            Person(mentorship.mentor, "mentor", mentorship.mentor_accepted_at),
            Person(mentorship.pair_mentee, "mentee", mentorship.mentee_accepted_at),
        ]
    cached: list[Person] | None = getattr(mentorship, "_people", None)
    if cached is None:
        rows: list[MentorshipMember] | None = getattr(mentorship, PREFETCHED, None)
        if rows is None:
            rows = list(
                MentorshipMember.objects.filter(mentorship=mentorship, left_at__isnull=True)
                .select_related("user")
                .order_by("role", "joined_at", "pk")
            )
        cached = [Person(row.user, row.role, row.accepted_at) for row in rows]
        mentorship._people = cached  # type: ignore[attr-defined]
        mentorship._member_ids = tuple(p.user.pk for p in cached)  # type: ignore[attr-defined]
    return cached


def role_of(mentorship: Mentorship, user: User | int) -> str | None:
    """ "mentor", "mentee", or None for someone who is not (or no longer) a member."""
    user_id = user if isinstance(user, int) else user.pk
    if not mentorship.is_circle:
        if user_id == mentorship.mentor_id:
            return "mentor"
        return "mentee" if user_id == mentorship.mentee_id else None
    return next((p.role for p in people_of(mentorship) if p.user.pk == user_id), None)


def mentor_ids(mentorship: Mentorship) -> list[int]:
    return [p.user.pk for p in people_of(mentorship) if p.role == "mentor"]


def others_of(mentorship: Mentorship, user: User | int) -> list[User]:
    """The other members, as the person's "partners" (one in a pair, several in a circle)."""
    user_id = user if isinstance(user, int) else user.pk
    return [p.user for p in people_of(mentorship) if p.user.pk != user_id]


def partner_or_circle(mentorship: Mentorship, user: User | int) -> User | Named:
    """What "with …" names on a person's pages: their partner, or the circle."""
    if mentorship.is_circle:
        return Named(title_for(mentorship, user))
    return others_of(mentorship, user)[0]


def title_for(mentorship: Mentorship, user: User | int) -> str:
    """How a person names the mentorship in a heading or an e-mail subject: their
    partner's name in a pair, the circle's topic in a circle."""
    if mentorship.is_circle:
        return f"the {mentorship.topic} circle"
    others = others_of(mentorship, user)
    return others[0].name if others else ""
