"""What the two sides of a mentorship are called in a programme, by its kind.

One-to-one and group programmes have mentors and mentees. In a peer programme everyone is
a peer (enrolled once, as "peer", and matched with another peer). In reverse mentoring the
junior person mentors the senior one, and the words say so. Templates read these through
the ``role_word`` filter (programmes/templatetags/roles.py), e-mails and services directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from openmentor.programmes.models import Enrolment, Programme


@dataclass(frozen=True)
class RoleWords:
    mentor: str
    mentee: str
    mentors: str
    mentees: str


ONE_TO_ONE = RoleWords("mentor", "mentee", "mentors", "mentees")
PEER = RoleWords("peer", "peer", "peers", "peers")
REVERSE = RoleWords("junior mentor", "senior mentee", "junior mentors", "senior mentees")


def role_words(programme: Programme) -> RoleWords:
    if programme.kind == Programme.Kind.PEER:
        return PEER
    if programme.kind == Programme.Kind.REVERSE:
        return REVERSE
    return ONE_TO_ONE


def role_word(programme: Programme, side: str) -> str:
    """``side`` is "mentor", "mentee", "mentors" or "mentees" (as stored on rows), or an
    enrolment's "peer"."""
    if side in ("peer", "peers"):  # a peer enrolment is a peer in any programme
        return side
    return str(getattr(role_words(programme), side))


def other_side(side: str) -> str:
    """The other side of a pair: "mentee" for "mentor", and the other way round."""
    return "mentee" if side == "mentor" else "mentor"


def partner_word(programme: Programme, side: str) -> str:
    """What the person on ``side`` calls the other one: "your mentee", "your peer",
    "your senior mentee"."""
    return role_word(programme, other_side(side))


def explain_words(programme: Programme) -> tuple[str, str]:
    """(mentor, mentee) as "why this match" names them (matching/explain.py takes plain
    words, so that it depends on nothing but the reasons)."""
    words = role_words(programme)
    return words.mentor, words.mentee


def is_peer(programme: Programme) -> bool:
    return programme.kind == Programme.Kind.PEER


def enrolment_role(programme: Programme, side: str) -> str:
    """The enrolment role that a mentorship's ``side`` ("mentor" or "mentee") needs: in a
    peer programme both sides are peers."""
    if is_peer(programme):
        return Enrolment.Role.PEER.value
    return Enrolment.Role.MENTOR.value if side == "mentor" else Enrolment.Role.MENTEE.value
