"""Reads of a programme's community page: who chose to be listed (searchable by skill and
name), the milestones people chose to share, and the upcoming events. Every read is
scoped to the programme, and so to its organisation; each is a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet

from openmentor.accounts.models import User
from openmentor.community.models import CommunityOptIn
from openmentor.events.models import ProgrammeEvent
from openmentor.events.selectors import programme_events
from openmentor.mentorships.models import Activity
from openmentor.organisations.models import Membership
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme

BIO_CHARS = 280
MILESTONES_SHOWN = 20
EVENTS_SHOWN = 5


def is_programme_member(*, programme: Programme, user: User) -> bool:
    return Enrolment.objects.filter(
        programme=programme, user=user, status=Enrolment.Status.ACTIVE
    ).exists()


def opt_in_of(*, membership: Membership) -> CommunityOptIn | None:
    return CommunityOptIn.objects.filter(
        organisation_id=membership.organisation_id, user_id=membership.user_id
    ).first()


def _members(programme: Programme) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(programme=programme, status=Enrolment.Status.ACTIVE)


def _has_skill(skill: str) -> Q:
    """Profiles that offer or want the skill (a whole item of the JSON list)."""
    if connection.vendor == "postgresql":
        # jsonb containment, a few times faster than matching the text of the list.
        return Q(skills_offered__contains=[skill]) | Q(skills_wanted__contains=[skill])
    # Django has no JSON containment on SQLite: match the quoted item in the stored text,
    # so "Go" is not found in "Google". SQLite keeps non-ASCII escaped, so both spellings.
    found = Q()
    for spelling in dict.fromkeys([json.dumps(skill), json.dumps(skill, ensure_ascii=False)]):
        found |= Q(skills_offered__icontains=spelling) | Q(skills_wanted__icontains=spelling)
    return found


def directory(*, programme: Programme, search: str = "", skill: str = "") -> QuerySet[User]:
    """The programme's active participants who chose to be listed, by name."""
    listed = CommunityOptIn.objects.filter(
        organisation_id=programme.organisation_id, listed=True
    ).values("user_id")
    people = User.objects.filter(
        pk__in=_members(programme).values("user_id"), is_active=True
    ).filter(pk__in=listed)
    if search:
        people = people.filter(
            Q(display_name__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
        )
    if skill:
        with_skill = Profile.objects.filter(
            _has_skill(skill), organisation_id=programme.organisation_id
        ).values("user_id")
        people = people.filter(pk__in=with_skill)
    return people.order_by("display_name", "first_name", "last_name", "pk")


@dataclass
class Card:
    """A listed person's short profile."""

    name: str
    roles: list[str]
    job_title: str = ""
    offers: list[str] = field(default_factory=list)
    wants: list[str] = field(default_factory=list)
    bio: str = ""


def directory_cards(*, programme: Programme, people: list[User]) -> list[Card]:
    """Short profiles of one page of the directory (two queries whatever its size)."""
    ids = [u.pk for u in people]
    profiles = {
        p.user_id: p
        for p in Profile.objects.filter(organisation_id=programme.organisation_id, user_id__in=ids)
    }
    roles: dict[int, list[str]] = {}
    for enrolment in _members(programme).filter(user_id__in=ids).order_by("role"):
        roles.setdefault(enrolment.user_id, []).append(enrolment.get_role_display())
    cards = []
    for person in people:
        profile = profiles.get(person.pk)
        bio = (profile.bio if profile else "").strip()
        cards.append(
            Card(
                name=person.name,
                roles=roles.get(person.pk, []),
                job_title=profile.job_title if profile else "",
                offers=list(profile.skills_offered) if profile else [],
                wants=list(profile.skills_wanted) if profile else [],
                bio=bio if len(bio) <= BIO_CHARS else bio[: BIO_CHARS - 1].rstrip() + "…",
            )
        )
    return cards


@dataclass
class SharedMilestone:
    names: list[str]
    label: str
    at: dt.datetime


def shared_milestones(*, programme: Programme) -> list[SharedMilestone]:
    """The latest milestones of the programme's pairs, each shown only with the names of
    the members who chose to share theirs (a partner who did not is never named); goals
    reached are shown without the goal itself, which stays the pair's."""
    sharers = CommunityOptIn.objects.filter(
        organisation_id=programme.organisation_id, share_milestones=True
    ).values("user_id")
    rows = list(
        Activity.objects.filter(
            Q(mentorship__mentor_id__in=sharers) | Q(mentorship__mentee_id__in=sharers),
            programme=programme,
            kind__in=[Activity.Kind.MILESTONE, Activity.Kind.GOAL_REACHED],
        )
        .select_related("mentorship__mentor", "mentorship__mentee")
        .order_by("-occurred_at", "-pk")[:MILESTONES_SHOWN]
    )
    members = {m for a in rows for m in (a.mentorship.mentor_id, a.mentorship.mentee_id)}
    sharing = set(
        CommunityOptIn.objects.filter(
            organisation_id=programme.organisation_id, share_milestones=True, user_id__in=members
        ).values_list("user_id", flat=True)
    )
    found = []
    for activity in rows:
        mentorship = activity.mentorship
        # A circle's mentee column is empty: its lead mentor is named when they share.
        names = [
            person.name
            for person in (mentorship.mentor, mentorship.mentee)
            if person is not None and person.pk in sharing
        ]
        if activity.kind == Activity.Kind.GOAL_REACHED:
            label = "Reached a goal"
        else:
            label = str(activity.data.get("label") or "A milestone")
        found.append(SharedMilestone(names=names, label=label, at=activity.occurred_at))
    return found


def upcoming_events(
    *, programme: Programme, now: dt.datetime, viewer: User | None
) -> list[ProgrammeEvent]:
    """The next events `viewer` may see (None: a manager; a circle's events only to its
    members)."""
    return list(
        programme_events(programme=programme, viewer=viewer)
        .filter(status=ProgrammeEvent.Status.SCHEDULED, ends_at__gt=now)
        .order_by("starts_at", "pk")[:EVENTS_SHOWN]
    )
