"""Mentee choice, the reads: capacity already promised, recommendations, profile cards,
and the requests each person sees.

The one idea every part shares is *capacity already promised*: a mentor's places are
reduced by the requests waiting for their answer, so the recommendations, the validation of
a request (services.py) and the cascade to the next choice all count them the same way
(`_room_left`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openmentor.matching.engine import (
    EmbeddingUnavailable,
    ProblemError,
    load_problem,
    recommend,
    solve,
)
from openmentor.matching.engine.explain import language_name
from openmentor.matching.explain import why_lines
from openmentor.matching.models import MatchingSettings, MentorRequest
from openmentor.matching.problem import (
    BuiltProblem,
    build_problem,
    engine_id,
    engine_options,
    user_id_of,
)
from openmentor.matching.problem import settings_for as matching_settings_for
from openmentor.meetings.times import availability_intervals, intersect, zone
from openmentor.mentorships.models import OPEN_STATUSES, Mentorship
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from openmentor.programmes.roles import explain_words

if TYPE_CHECKING:
    from openmentor.accounts.models import User

CHOICE_MODES = frozenset({Programme.MatchingMode.MENTEE_CHOICE, Programme.MatchingMode.BOTH})
OPEN = (MentorRequest.Status.QUEUED, MentorRequest.Status.PENDING)
ASKS = MentorRequest.Direction.MENTEE_ASKS
INVITES = MentorRequest.Direction.MENTOR_INVITES
FAIR_SHARE_NOTE = (
    "Popular mentors are shared fairly: we show those most likely to have room for you."
)


class RecommendationsUnavailable(Exception):
    """The engine could not rank people (e.g. the embedding model is missing)."""


def choice_enabled(programme: Programme) -> bool:
    """Mentee choice needs a mentor side and a mentee side: a peer programme, whose people
    are all peers, is always matched by its managers whatever its matching mode."""
    return programme.matching_mode in CHOICE_MODES and programme.kind != Programme.Kind.PEER


def settings_for(programme: Programme) -> MatchingSettings:
    return matching_settings_for(programme)


# --- Capacity already promised ------------------------------------------------------------


def _capacity(programme: Programme, profile: Profile | None) -> int:
    return profile.mentor_capacity if profile is not None else programme.default_mentor_capacity


def _pending_claims(organisation_id: int, mentor_ids: Iterable[int] | None = None) -> Counter[int]:
    """Pending requests per mentor across the organisation (capacity is per person)."""
    rows = MentorRequest.objects.filter(
        programme__organisation_id=organisation_id, status=MentorRequest.Status.PENDING
    )
    if mentor_ids is not None:
        rows = rows.filter(mentor_id__in=list(mentor_ids))
    return Counter(
        dict(rows.values_list("mentor_id").annotate(n=Count("id")).values_list("mentor_id", "n"))
    )


def _room_left(programme: Programme, mentor_id: int, *, count_pending: bool = True) -> int:
    """Places the mentor has left: capacity − open mentorships − pending requests."""
    organisation_id = programme.organisation_id
    profile = Profile.objects.filter(organisation_id=organisation_id, user_id=mentor_id).first()
    busy = Mentorship.objects.filter(
        programme__organisation_id=organisation_id, mentor_id=mentor_id, status__in=OPEN_STATUSES
    ).count()
    pending = _pending_claims(organisation_id, [mentor_id])[mentor_id] if count_pending else 0
    return _capacity(programme, profile) - busy - pending


def _mentors_needed(programme: Programme, mentee_id: int) -> int:
    have = Mentorship.objects.filter(
        programme=programme, mentee_id=mentee_id, status__in=OPEN_STATUSES
    ).count()
    return programme.mentors_per_mentee - have


def _is_active(programme: Programme, user_id: int, role: str) -> bool:
    return Enrolment.objects.filter(
        programme=programme, user_id=user_id, role=role, status=Enrolment.Status.ACTIVE
    ).exists()


def choice_problem(*, programme: Programme, viewer_mentee_id: int | None = None) -> BuiltProblem:
    """The whole-cohort problem as mentee choice sees it.

    On top of `build_problem`: each mentor's capacity is reduced by the requests pending
    for them (capacity already promised; an accepted request is already a mentorship, the
    accept service creates both in one transaction); each mentee's `wants` is reduced by
    their own pending requests and invitations, so a mentee waiting for answers does not
    also take a place in the cohort optimum (the viewing mentee keeps theirs); a pair with
    an open, declined or expired request is never proposed again; manager locks are left
    out (they belong to manager-run matching).
    """
    requests = MentorRequest.objects.filter(programme=programme).exclude(
        status__in=[MentorRequest.Status.ACCEPTED, MentorRequest.Status.WITHDRAWN]
    )
    never_again = set(requests.values_list("mentee_id", "mentor_id"))
    built = build_problem(programme=programme, extra_forbidden=never_again, include_locks=False)
    data = built.data
    claims = _pending_claims(programme.organisation_id)
    mentee_claims = Counter(
        dict(
            MentorRequest.objects.filter(programme=programme, status=MentorRequest.Status.PENDING)
            .values_list("mentee_id")
            .annotate(n=Count("id"))
            .values_list("mentee_id", "n")
        )
    )
    for mentor in data["mentors"]:
        mentor["capacity"] = max(0, mentor["capacity"] - claims[user_id_of(mentor["id"])])
    mentees = []
    for mentee in data["mentees"]:
        user_id = user_id_of(mentee["id"])
        if user_id != viewer_mentee_id:
            mentee["wants"] -= mentee_claims[user_id]
        if mentee["wants"] > 0:
            mentees.append(mentee)
    data["mentees"] = mentees
    ids = {p["id"] for p in mentees} | {p["id"] for p in data["mentors"]}
    for person in mentees + data["mentors"]:
        # A manager who is no longer in the lists; the reporting line is already a
        # forbidden pair, so the id is only dropped, never the rule.
        if person.get("manager_id") not in ids:
            person.pop("manager_id", None)
    data["forbidden_pairs"] = [p for p in data["forbidden_pairs"] if p[0] in ids and p[1] in ids]
    data["locked_pairs"] = []
    built.snapshot = {
        "mentees": {m["id"]: m["wants"] for m in mentees},
        "mentors": {m["id"]: m["capacity"] for m in data["mentors"]},
    }
    return built


# --- Recommendations ---------------------------------------------------------------------


@dataclass
class Ranked:
    """One recommended person, as the engine ranked them for the viewer."""

    user_id: int
    score: float
    reasons: list[dict[str, Any]]
    room_left: int
    best_fit: bool = False  # the cohort optimum gives this pair
    shared_out: bool = False  # the cohort optimum needs all their places for others


def _reasons(recommendation: Any) -> list[dict[str, Any]]:
    return [
        {"factor": r.factor, "contribution": round(r.contribution, 6), "detail": r.detail}
        for r in recommendation.reasons
    ]


def _engine(call: Any) -> Any:
    try:
        return call()
    except (EmbeddingUnavailable, ProblemError) as error:
        raise RecommendationsUnavailable(str(error)) from error


def ranked_mentors(*, programme: Programme, mentee: User) -> list[Ranked] | None:
    """Every mentor with room who fits the mentee, in the order the mentee should see them.

    None when the mentee is not an active mentee still wanting a mentor.

    The fairness rule (so the first mentee to look does not take every popular mentor):
    the engine first solves the whole cohort, with capacities already reduced by pending
    requests. Then, keeping the engine's score order within each group,
    1. the mentors the cohort optimum gives to this mentee come first;
    2. then mentors the optimum leaves with a free place;
    3. last, mentors whose every remaining place the optimum gives to other mentees: they
       still fit, but asking them would most likely take a place someone else needs.
    """
    built = choice_problem(programme=programme, viewer_mentee_id=mentee.pk)
    me = engine_id(mentee.pk)
    if me not in built.snapshot["mentees"]:
        return None
    problem = _engine(lambda: load_problem(built.data))
    recs = _engine(
        lambda: recommend(problem, mentee_id=me, top=len(problem.mentors), **engine_options())
    )
    if not recs:
        return []
    result = _engine(lambda: solve(problem, audit_drivers=False, **engine_options()))
    capacity = built.snapshot["mentors"]
    mine = {m.mentor for m in result.matches if m.mentee == me}
    others = Counter(m.mentor for m in result.matches if m.mentee != me)
    ranked = [
        Ranked(
            user_id=user_id_of(r.id),
            score=r.score,
            reasons=_reasons(r),
            room_left=r.capacity_left,
            best_fit=r.id in mine,
            shared_out=r.id not in mine and others[r.id] >= capacity[r.id],
        )
        for r in recs
    ]
    # sorted() is stable, so the engine's score order holds within each group.
    return sorted(ranked, key=lambda x: 0 if x.best_fit else 2 if x.shared_out else 1)


def ranked_mentees(*, programme: Programme, mentor: User, top: int) -> list[Ranked] | None:
    """Suggested mentees for a mentor with room, best first; None when they have no room
    or are not an active mentor."""
    built = choice_problem(programme=programme)
    me = engine_id(mentor.pk)
    if built.snapshot["mentors"].get(me, 0) <= 0:
        return None
    if not built.snapshot["mentees"]:
        return []
    problem = _engine(lambda: load_problem(built.data))
    recs = _engine(lambda: recommend(problem, mentor_id=me, top=top, **engine_options()))
    return [
        Ranked(user_id=user_id_of(r.id), score=r.score, reasons=_reasons(r), room_left=0)
        for r in recs
    ]


# --- Profile cards ------------------------------------------------------------------------


@dataclass
class Card:
    """A person as the other side sees them before choosing: who, and why this match."""

    user: User
    job_title: str = ""
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    free_times: list[str] = field(default_factory=list)
    weekly_free: str = ""
    score: float | None = None
    best_fit: bool = False
    shared_out: bool = False
    request: MentorRequest | None = None


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def common_free_times(
    viewer: Profile | None, other: Profile | None, *, now: dt.datetime | None = None
) -> tuple[list[str], int]:
    """When both are free in a coming week, in the viewer's local time (and, where it
    differs, the other's), and the minutes a week.

    Computed on the real dates of next week with each day's own UTC offset
    (openmentor.meetings.times), so a difference in daylight-saving dates shows truly.
    """
    if viewer is None or other is None or not viewer.availability or not other.availability:
        return [], 0
    mine, theirs = zone(viewer.timezone), zone(other.timezone)
    today = (now or timezone.now()).astimezone(mine).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    start = dt.datetime.combine(monday, dt.time(), tzinfo=mine).astimezone(dt.UTC)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), tzinfo=mine).astimezone(
        dt.UTC
    )
    common = intersect(
        availability_intervals(viewer.availability, viewer.timezone, start, end),
        availability_intervals(other.availability, other.timezone, start, end),
    )
    lines = []
    for lo, hi in common:
        a, b = lo.astimezone(mine), hi.astimezone(mine)
        text = (
            f"{a:%a} {a:%H:%M}–{b:%H:%M}" if a.date() == b.date() else f"{a:%a %H:%M}–{b:%a %H:%M}"
        )
        if a.utcoffset() != lo.astimezone(theirs).utcoffset():
            c, d = lo.astimezone(theirs), hi.astimezone(theirs)
            text += f" ({c:%a %H:%M}–{d:%H:%M} their time)"
        lines.append(text)
    minutes = int(sum((hi - lo).total_seconds() for lo, hi in common) // 60)
    return lines, minutes


def _profiles(programme: Programme, user_ids: Iterable[int]) -> dict[int, Profile]:
    return {
        p.user_id: p
        for p in Profile.objects.filter(
            organisation_id=programme.organisation_id, user_id__in=list(user_ids)
        ).select_related("user")
    }


def _users(user_ids: Iterable[int]) -> dict[int, User]:
    from openmentor.accounts.models import User

    return {u.pk: u for u in User.objects.filter(pk__in=list(user_ids))}


def cards_for(
    *,
    programme: Programme,
    viewer: User,
    viewer_role: str,
    ranked: Sequence[Ranked] = (),
    requests: Sequence[MentorRequest] = (),
) -> list[Card]:
    """Cards for ranked people, or for the other side of requests (two queries in all)."""
    other_ids = [r.user_id for r in ranked] + [
        (r.mentor_id if viewer_role == "mentee" else r.mentee_id) for r in requests
    ]
    profiles = _profiles(programme, [viewer.pk, *other_ids])
    users = {p.user_id: p.user for p in profiles.values()}
    missing = [i for i in other_ids if i not in users]
    if missing:
        users.update(_users(missing))
    mine = profiles.get(viewer.pk)
    viewer_timezone = mine.timezone if mine else None
    items: list[tuple[int, float | None, list[dict[str, Any]], Ranked | None, MentorRequest | None]]
    items = [(r.user_id, r.score, r.reasons, r, None) for r in ranked]
    items += [
        (
            r.mentor_id if viewer_role == "mentee" else r.mentee_id,
            r.score,
            list(r.reasons or []),
            None,
            r,
        )
        for r in requests
    ]
    cards = []
    for user_id, score, reasons, rank, request in items:
        profile = profiles.get(user_id)
        times, minutes = common_free_times(mine, profile)
        skills: list[str] = []
        if profile is not None:
            skills = list(
                profile.skills_offered if viewer_role == "mentee" else profile.skills_wanted
            )
        cards.append(
            Card(
                user=users[user_id],
                job_title=profile.job_title if profile else "",
                skills=skills,
                languages=[language_name(t) for t in (profile.languages if profile else [])],
                why=why_lines(
                    reasons,
                    viewer_role=viewer_role,
                    viewer_timezone=viewer_timezone,
                    words=explain_words(programme),
                ),
                free_times=times,
                weekly_free=_hours(minutes) if minutes else "",
                score=score,
                best_fit=rank.best_fit if rank else False,
                shared_out=rank.shared_out if rank else False,
                request=request,
            )
        )
    return cards


# --- Reads --------------------------------------------------------------------------------


def _requests(programme: Programme) -> QuerySet[MentorRequest]:
    return MentorRequest.objects.filter(programme=programme).select_related("mentor", "mentee")


def requests_of_mentee(*, programme: Programme, mentee: User) -> QuerySet[MentorRequest]:
    """The mentee's own requests here, open ones first, each round in rank order."""
    return (
        _requests(programme).filter(mentee=mentee, direction=ASKS).order_by("-created_at", "rank")
    )


def invitations_for_mentee(*, programme: Programme, mentee: User) -> QuerySet[MentorRequest]:
    return _requests(programme).filter(
        mentee=mentee, direction=INVITES, status=MentorRequest.Status.PENDING
    )


def pending_for_mentor(*, programme: Programme, mentor: User) -> QuerySet[MentorRequest]:
    return (
        _requests(programme)
        .filter(mentor=mentor, direction=ASKS, status=MentorRequest.Status.PENDING)
        .order_by("expires_at", "pk")
    )


def invitations_by_mentor(*, programme: Programme, mentor: User) -> QuerySet[MentorRequest]:
    return _requests(programme).filter(
        mentor=mentor, direction=INVITES, status=MentorRequest.Status.PENDING
    )


def request_for_answerer(*, programme: Programme, user: User, request_id: int) -> MentorRequest:
    """A request this person is the one to answer (the mentor asked, or the mentee
    invited); anything else, including another organisation's, is a 404."""
    found = (
        _requests(programme)
        .select_related("programme__organisation")
        .filter(Q(direction=ASKS, mentor=user) | Q(direction=INVITES, mentee=user), pk=request_id)
        .first()
    )
    if found is None:
        raise Http404("No such request")
    return found


def has_open_requests(*, programme: Programme, mentee: User) -> bool:
    return MentorRequest.objects.filter(
        programme=programme, mentee=mentee, direction=ASKS, status__in=OPEN
    ).exists()


def mentors_needed(*, programme: Programme, mentee: User) -> int:
    return _mentors_needed(programme, mentee.pk)
