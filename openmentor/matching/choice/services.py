"""Mentee choice: recommendations, requests to mentors, their answers and the cascade.

Selectors and services of the mentee-choice flow (issue 6, part 3) live together here
because they share one idea, *capacity already promised*: a mentor's places are reduced by
the requests waiting for their answer, so the recommendations, the validation of a request
and the cascade to the next choice all count them the same way (`_room_left`).

Lifecycle of a MentorRequest (direction "mentee_asks"): the mentee ranks mentors; the first
`max_open_requests` are PENDING (sent, with a deadline `response_days` ahead), the rest
QUEUED in rank order. A decline or an expiry marks the request and sends the next queued
choice (`_send_next`); an accept creates the mentorship through the mentorships service
and, once the mentee has enough mentors, withdraws the rest. A mentor may also invite a
suggested mentee (direction "mentor_invites"); the mentee answers it.

Every service is one transaction; e-mails go out on commit (`email_send` defers them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from openmentor.core.email import email_send
from openmentor.core.events import event_record
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
from openmentor.matching.problem import BuiltProblem, build_problem, engine_id, user_id_of
from openmentor.matching.problem import settings_for as matching_settings_for
from openmentor.meetings.times import availability_intervals, intersect, zone
from openmentor.mentorships.models import OPEN_STATUSES, Mentorship
from openmentor.mentorships.selectors import excluded_partners
from openmentor.mentorships.services import mentorship_create
from openmentor.notifications.services import notification_create
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from openmentor.programmes.services import programme_require

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
    return programme.matching_mode in CHOICE_MODES


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
    recs = _engine(lambda: recommend(problem, mentee_id=me, top=len(problem.mentors)))
    if not recs:
        return []
    result = _engine(lambda: solve(problem, audit_drivers=False))
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
    recs = _engine(lambda: recommend(problem, mentor_id=me, top=top))
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
                why=why_lines(reasons, viewer_role=viewer_role, viewer_timezone=viewer_timezone),
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


# --- Writes -------------------------------------------------------------------------------


def _page_url(programme: Programme, name: str) -> str:
    return settings.SITE_URL + reverse(name, args=[programme.organisation.slug, programme.slug])


def _notify(programme: Programme, user_id: int, kind: str, text: str, page: str) -> None:
    notification_create(
        organisation_id=programme.organisation_id,
        user_id=user_id,
        kind=kind,
        text=text,
        url=reverse(page, args=[programme.organisation.slug, programme.slug]),
    )


def _send(request: MentorRequest, now: dt.datetime, response_days: int) -> None:
    """Makes a queued request pending and tells the person who answers it."""
    request.status = MentorRequest.Status.PENDING
    request.sent_at = now
    request.expires_at = now + dt.timedelta(days=response_days)
    request.save(update_fields=["status", "sent_at", "expires_at"])
    programme = request.programme
    asks = request.direction == ASKS
    asker, answerer = (request.mentee, request.mentor) if asks else (request.mentor, request.mentee)
    email_send(
        to=[answerer.email],
        subject=(
            f"{asker.name} would like you as their mentor"
            if asks
            else f"{asker.name} invites you to be their mentee"
        ),
        template="matching/choice/email/request",
        context={
            "name": answerer.name,
            "asker_name": asker.name,
            "asks": asks,
            "programme_name": programme.name,
            "message": request.message,
            "why": why_lines(request.reasons, viewer_role="mentor" if asks else "mentee"),
            "expires_at": request.expires_at,
            "url": _page_url(programme, "mentor_requests" if asks else "recommendations"),
        },
    )
    _notify(
        programme,
        answerer.pk,
        "matching.request",
        f"{asker.name} {'asks you to be their mentor' if asks else 'invites you to be their mentee'}"
        f" in {programme.name}.",
        "mentor_requests" if asks else "recommendations",
    )


def _tell_requester(request: MentorRequest, outcome: str, *, next_name: str = "") -> None:
    """E-mails the person who asked how it went (kindly: nobody is judged by a no)."""
    programme = request.programme
    asks = request.direction == ASKS
    asker, answerer = (request.mentee, request.mentor) if asks else (request.mentor, request.mentee)
    subjects = {
        "accepted": f"{answerer.name} said yes",
        "declined": f"About your request to {answerer.name}",
        "full": f"About your request to {answerer.name}",
        "expired": f"No answer yet from {answerer.name}",
    }
    email_send(
        to=[asker.email],
        subject=subjects[outcome],
        template="matching/choice/email/answered",
        context={
            "name": asker.name,
            "answerer_name": answerer.name,
            "asks": asks,
            "outcome": outcome,
            "programme_name": programme.name,
            "next_name": next_name,
            "why": why_lines(request.reasons, viewer_role="mentee" if asks else "mentor"),
            "url": _page_url(programme, "recommendations" if asks else "mentor_requests"),
        },
    )
    texts = {
        "accepted": f"{answerer.name} accepted: you have a new mentorship in {programme.name}.",
        "declined": f"{answerer.name} cannot take this on right now.",
        "full": f"{answerer.name} has no place left.",
        "expired": f"{answerer.name} did not answer in time.",
    }
    text = texts[outcome]
    if next_name:
        text += f" We have asked your next choice, {next_name}."
    _notify(
        programme,
        asker.pk,
        f"matching.request_{outcome}",
        text,
        "recommendations" if asks else "mentor_requests",
    )


def _send_next(programme: Programme, mentee_id: int, now: dt.datetime) -> str:
    """The cascade: sends the mentee's next queued choices while they may have more
    requests out and still need a mentor. A queued mentor who is no longer active or has
    no room left is skipped (withdrawn). Returns the name of the first one sent, if any."""
    match_settings = settings_for(programme)
    first = ""
    while _mentors_needed(programme, mentee_id) > 0:
        pending = MentorRequest.objects.filter(
            programme=programme,
            mentee_id=mentee_id,
            direction=ASKS,
            status=MentorRequest.Status.PENDING,
        ).count()
        if pending >= match_settings.max_open_requests:
            break
        queued = (
            MentorRequest.objects.select_for_update(of=("self",))
            .select_related("programme__organisation", "mentor", "mentee")
            .filter(
                programme=programme,
                mentee_id=mentee_id,
                direction=ASKS,
                status=MentorRequest.Status.QUEUED,
            )
            .order_by("rank", "pk")
            .first()
        )
        if queued is None:
            break
        if (
            not _is_active(programme, queued.mentor_id, Enrolment.Role.MENTOR)
            or _room_left(programme, queued.mentor_id) <= 0
        ):
            queued.status = MentorRequest.Status.WITHDRAWN
            queued.responded_at = now
            queued.save(update_fields=["status", "responded_at"])
            continue
        _send(queued, now, match_settings.response_days)
        first = first or queued.mentor.name
    return first


def _locked(request: MentorRequest) -> MentorRequest:
    return (
        MentorRequest.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "mentor", "mentee")
        .get(pk=request.pk)
    )


def _require_answerer(request: MentorRequest, user: User) -> None:
    answerer = request.mentor_id if request.direction == ASKS else request.mentee_id
    if user.pk != answerer:
        raise PermissionDenied("Only the person asked can answer this request.")


def _require_answerable(request: MentorRequest) -> None:
    if not choice_enabled(request.programme):
        raise ValidationError(
            f"{request.programme.name} is matched by its managers, so requests are closed."
        )
    if request.status != MentorRequest.Status.PENDING:
        raise ValidationError(
            f"This request is no longer waiting for an answer ({request.get_status_display().lower()})."
        )


@transaction.atomic
def mentor_requests_send(
    *, programme: Programme, mentee: User, mentor_ids: Sequence[int], message: str = ""
) -> list[MentorRequest]:
    """Sends the mentee's ranked choices: the first `max_open_requests` at once, the rest
    queued in order.

    Refuses (ValidationError; nothing written) a programme not in mentee choice, a person
    who is not an active mentee, a mentee who already has enough mentors or still has
    requests out, no choice, more choices than the programme shows, a message over 1000
    characters, and per choice (errors keyed `choice_<rank>`, rank from 1): themselves, a
    duplicate, someone not an active mentor here, a past partner, a mentor already asked
    in an earlier round, a mentor with no room left, and one the programme's rules keep
    apart from them.
    """
    match_settings = settings_for(programme)
    if not choice_enabled(programme):
        raise ValidationError(f"In {programme.name} the programme managers match people.")
    programme_require(programme, "match")
    if not _is_active(programme, mentee.pk, Enrolment.Role.MENTEE):
        raise ValidationError(f"You are not an active mentee in {programme.name}.")
    if _mentors_needed(programme, mentee.pk) <= 0:
        raise ValidationError("You already have as many mentors as this programme allows.")
    if has_open_requests(programme=programme, mentee=mentee):
        raise ValidationError(
            "Your earlier requests are still waiting for answers; you can choose again if "
            "none of them works out."
        )
    if not mentor_ids:
        raise ValidationError({"choice_1": "Choose at least one mentor."})
    if len(mentor_ids) > match_settings.recommendations_shown:
        raise ValidationError(
            f"You can choose at most {match_settings.recommendations_shown} mentors."
        )
    if len(message) > 1000:
        raise ValidationError({"message": "Keep your message under 1000 characters."})
    # Lock the chosen mentors' enrolments: two mentees asking at once queue up here.
    active = set(
        Enrolment.objects.select_for_update()
        .filter(
            programme=programme,
            role=Enrolment.Role.MENTOR,
            status=Enrolment.Status.ACTIVE,
            user_id__in=list(mentor_ids),
        )
        .values_list("user_id", flat=True)
    )
    users = _users(active)
    past = excluded_partners(programme=programme, user=mentee)
    current = set(
        Mentorship.objects.filter(
            programme=programme, mentee=mentee, status__in=OPEN_STATUSES
        ).values_list("mentor_id", flat=True)
    )
    answered = set(
        MentorRequest.objects.filter(
            programme=programme,
            mentee=mentee,
            status__in=[MentorRequest.Status.DECLINED, MentorRequest.Status.EXPIRED],
        ).values_list("mentor_id", flat=True)
    )
    ranked = ranked_mentors(programme=programme, mentee=mentee) or []
    fits = {r.user_id: r for r in ranked}
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for rank, mentor_id in enumerate(mentor_ids, start=1):
        key = f"choice_{rank}"
        name = users[mentor_id].name if mentor_id in users else ""
        if mentor_id == mentee.pk:
            errors[key] = "You cannot choose yourself."
        elif mentor_id in seen:
            errors[key] = f"You chose {name or 'this person'} twice."
        elif mentor_id not in active:
            errors[key] = f"That person is not an active mentor in {programme.name}."
        elif mentor_id in current:
            errors[key] = f"{name} is already your mentor."
        elif mentor_id in past:
            errors[key] = f"You have worked with {name} here before; choose someone new."
        elif mentor_id in answered:
            errors[key] = f"{name} already answered an earlier request from you."
        elif _room_left(programme, mentor_id) <= 0:
            errors[key] = f"{name} has no room for another mentee right now."
        elif mentor_id not in fits:
            errors[key] = (
                f"{name} is not available to you in this programme (languages, time zones "
                "or the programme's rules keep you apart)."
            )
        seen.add(mentor_id)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    created = [
        MentorRequest.objects.create(
            programme=programme,
            mentee=mentee,
            mentor=users[mentor_id],
            direction=ASKS,
            rank=rank,
            status=MentorRequest.Status.QUEUED,
            message=message.strip(),
            score=fits[mentor_id].score,
            reasons=fits[mentor_id].reasons,
        )
        for rank, mentor_id in enumerate(mentor_ids, start=1)
    ]
    for request in created[: match_settings.max_open_requests]:
        request.programme = programme
        _send(request, now, match_settings.response_days)
    event_record(
        organisation=programme.organisation,
        actor=mentee,
        kind="matching.requests_sent",
        data={"programme": programme.pk, "mentors": list(mentor_ids)},
    )
    return created


@transaction.atomic
def mentee_invite(
    *, programme: Programme, mentor: User, mentee_id: int, message: str = ""
) -> MentorRequest:
    """A mentor invites a suggested mentee; the mentee answers on their recommendations page.

    Refuses (ValidationError at `mentee`, or not tied to a field) a programme not in mentee
    choice, a mentor who is not active or has no room, themselves, someone not an active
    mentee still needing a mentor, a past partner, a pair with a request already open or
    answered, and a pair the programme's rules keep apart.
    """
    match_settings = settings_for(programme)
    if not choice_enabled(programme):
        raise ValidationError(f"In {programme.name} the programme managers match people.")
    programme_require(programme, "match")
    if not _is_active(programme, mentor.pk, Enrolment.Role.MENTOR):
        raise ValidationError(f"You are not an active mentor in {programme.name}.")
    if _room_left(programme, mentor.pk) <= 0:
        raise ValidationError("You have no room for another mentee right now.")
    if len(message) > 1000:
        raise ValidationError({"message": "Keep your message under 1000 characters."})
    if mentee_id == mentor.pk:
        raise ValidationError({"mentee": "You cannot invite yourself."})
    if not Enrolment.objects.filter(
        programme=programme,
        user_id=mentee_id,
        role=Enrolment.Role.MENTEE,
        status=Enrolment.Status.ACTIVE,
    ).exists():
        raise ValidationError(
            {"mentee": f"That person is not an active mentee in {programme.name}."}
        )
    if _mentors_needed(programme, mentee_id) <= 0:
        raise ValidationError({"mentee": "That mentee already has as many mentors as allowed."})
    if mentee_id in excluded_partners(programme=programme, user=mentor):
        raise ValidationError({"mentee": "You have worked together here before."})
    if (
        MentorRequest.objects.filter(programme=programme, mentee_id=mentee_id, mentor=mentor)
        .exclude(status=MentorRequest.Status.WITHDRAWN)
        .exists()
    ):
        raise ValidationError({"mentee": "There is already a request between you two."})
    suggestions = ranked_mentees(programme=programme, mentor=mentor, top=10_000) or []
    fit = next((r for r in suggestions if r.user_id == mentee_id), None)
    if fit is None:
        raise ValidationError(
            {
                "mentee": "This mentee is not available to you (the programme's rules keep you apart)."
            }
        )
    request = MentorRequest.objects.create(
        programme=programme,
        mentee_id=mentee_id,
        mentor=mentor,
        direction=INVITES,
        rank=0,
        status=MentorRequest.Status.QUEUED,
        message=message.strip(),
        score=fit.score,
        reasons=fit.reasons,
    )
    request = _locked(request)
    _send(request, timezone.now(), match_settings.response_days)
    event_record(
        organisation=programme.organisation,
        actor=mentor,
        kind="matching.mentee_invited",
        data={"programme": programme.pk, "mentee": mentee_id},
    )
    return request


def _withdraw_rest(programme: Programme, mentee_id: int, now: dt.datetime) -> None:
    """Once a mentee has enough mentors, their other requests and invitations close; the
    mentors who had been asked are told kindly."""
    rest = list(
        MentorRequest.objects.select_for_update(of=("self",))
        .select_related("mentor", "mentee")
        .filter(programme=programme, mentee_id=mentee_id, status__in=OPEN)
    )
    for request in rest:
        was_pending = request.status == MentorRequest.Status.PENDING
        request.status = MentorRequest.Status.WITHDRAWN
        request.responded_at = now
        request.save(update_fields=["status", "responded_at"])
        if was_pending:
            email_send(
                to=[request.mentor.email],
                subject=f"{request.mentee.name} has found a mentor",
                template="matching/choice/email/withdrawn",
                context={
                    "name": request.mentor.name,
                    "mentee_name": request.mentee.name,
                    "asks": request.direction == ASKS,
                    "programme_name": programme.name,
                    "url": _page_url(programme, "mentor_requests"),
                },
            )


@transaction.atomic
def mentor_requests_withdraw(*, programme: Programme, mentee: User) -> int:
    """The mentee takes back their requests still waiting (to choose again, or to stop).

    Mentors who had been asked get an in-app notice; nobody else's requests change.
    Returns how many were withdrawn.
    """
    now = timezone.now()
    waiting = list(
        MentorRequest.objects.select_for_update(of=("self",))
        .filter(programme=programme, mentee=mentee, direction=ASKS, status__in=OPEN)
        .order_by("rank")
    )
    if not waiting:
        raise ValidationError("You have no requests waiting for an answer.")
    for request in waiting:
        was_pending = request.status == MentorRequest.Status.PENDING
        request.status = MentorRequest.Status.WITHDRAWN
        request.responded_at = now
        request.save(update_fields=["status", "responded_at"])
        if was_pending:
            _notify(
                programme,
                request.mentor_id,
                "matching.request_withdrawn",
                f"{mentee.name} withdrew their request in {programme.name}; nothing for you to do.",
                "mentor_requests",
            )
    return len(waiting)


def _close_if_full(programme: Programme, mentor_id: int, now: dt.datetime) -> None:
    """A mentor whose places are all taken cannot accept more: their other pending
    requests are answered for them ("no place left") and each mentee's next choice is
    asked; their own open invitations are withdrawn."""
    if _room_left(programme, mentor_id, count_pending=False) > 0:
        return
    for request in (
        MentorRequest.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "mentor", "mentee")
        .filter(programme=programme, mentor_id=mentor_id, status__in=OPEN)
    ):
        was_pending = request.status == MentorRequest.Status.PENDING
        if request.direction == INVITES or not was_pending:
            request.status = MentorRequest.Status.WITHDRAWN
            request.responded_at = now
            request.save(update_fields=["status", "responded_at"])
            continue
        request.status = MentorRequest.Status.DECLINED
        request.responded_at = now
        request.save(update_fields=["status", "responded_at"])
        _tell_requester(request, "full", next_name=_send_next(programme, request.mentee_id, now))


@transaction.atomic
def mentor_request_accept(*, mentor_request: MentorRequest, user: User) -> Mentorship:
    """The person asked says yes: the mentorship is created (source "choice", with the
    engine's score and reasons), the asker is told, and the mentee's other requests close
    once they have enough mentors (else their next choice is asked).

    Refuses someone other than the person asked (PermissionDenied), a request no longer
    pending, and whatever the mentorships service refuses (capacity, limits) as a
    ValidationError; nothing is written then.
    """
    request = _locked(mentor_request)
    _require_answerer(request, user)
    _require_answerable(request)
    programme = request.programme
    mentorship = mentorship_create(
        programme=programme,
        mentor=request.mentor,
        mentee=request.mentee,
        created_by=user,
        source=Mentorship.Source.CHOICE,
        match_score=request.score,
        match_reasons=list(request.reasons or []),
        # The person who asked gets the "said yes" e-mail with the reasons and the link;
        # the one who answered is on the page. No second, generic e-mail.
        notify=False,
    )
    now = timezone.now()
    request.status = MentorRequest.Status.ACCEPTED
    request.responded_at = now
    request.save(update_fields=["status", "responded_at"])
    _tell_requester(request, "accepted")
    if _mentors_needed(programme, request.mentee_id) <= 0:
        _withdraw_rest(programme, request.mentee_id, now)
    else:
        _send_next(programme, request.mentee_id, now)
    _close_if_full(programme, request.mentor_id, now)
    event_record(
        organisation=programme.organisation,
        actor=user,
        kind="matching.request_accepted",
        data={"programme": programme.pk, "request": request.pk, "mentorship": mentorship.pk},
    )
    return mentorship


@transaction.atomic
def mentor_request_decline(*, mentor_request: MentorRequest, user: User) -> MentorRequest:
    """The person asked says no; the asker is told kindly and, for a mentee's request,
    their next queued choice is asked. Refuses someone else and a request no longer pending."""
    request = _locked(mentor_request)
    _require_answerer(request, user)
    _require_answerable(request)
    now = timezone.now()
    request.status = MentorRequest.Status.DECLINED
    request.responded_at = now
    request.save(update_fields=["status", "responded_at"])
    next_name = (
        _send_next(request.programme, request.mentee_id, now) if request.direction == ASKS else ""
    )
    _tell_requester(request, "declined", next_name=next_name)
    event_record(
        organisation=request.programme.organisation,
        actor=user,
        kind="matching.request_declined",
        data={"programme": request.programme_id, "request": request.pk},
    )
    return request


def mentor_requests_expire(*, now: dt.datetime | None = None) -> int:
    """Marks every pending request past its deadline as expired, tells the asker and asks
    the mentee's next choice. Idempotent: each request is re-checked under a lock in its
    own transaction, so a second run (or a second worker) finds nothing to do."""
    now = now or timezone.now()
    due = list(
        MentorRequest.objects.filter(
            status=MentorRequest.Status.PENDING, expires_at__lte=now
        ).values_list("pk", flat=True)
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            request = (
                MentorRequest.objects.select_for_update(of=("self",))
                .select_related("programme__organisation", "mentor", "mentee")
                .filter(pk=pk, status=MentorRequest.Status.PENDING, expires_at__lte=now)
                .first()
            )
            if request is None:
                continue
            request.status = MentorRequest.Status.EXPIRED
            request.responded_at = now
            request.save(update_fields=["status", "responded_at"])
            next_name = (
                _send_next(request.programme, request.mentee_id, now)
                if request.direction == ASKS
                else ""
            )
            _tell_requester(request, "expired", next_name=next_name)
            expired += 1
    return expired


def error_messages(error: ValidationError) -> Mapping[str, list[str]]:
    """A ValidationError as {field or NON_FIELD_ERRORS: messages}."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: list(error.messages)}
