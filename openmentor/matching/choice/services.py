"""Mentee choice: recommendations, requests to mentors, their answers and the cascade.

The writes of the mentee-choice flow; the reads, and the counting of *capacity already
promised* that both share (`_room_left`), are in selectors.py.

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
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openmentor.core.email import email_send
from openmentor.core.events import EventKind, event_record
from openmentor.matching.choice.messages import notify, page_url, send_request, tell_requester
from openmentor.matching.choice.selectors import (
    ASKS,
    INVITES,
    OPEN,
    _is_active,
    _mentors_needed,
    _room_left,
    _users,
    choice_enabled,
    has_open_requests,
    ranked_mentees,
    ranked_mentors,
    settings_for,
)
from openmentor.matching.models import MentorRequest
from openmentor.mentorships.models import OPEN_STATUSES, Mentorship
from openmentor.mentorships.selectors import excluded_partners
from openmentor.mentorships.services.lifecycle import mentorship_create
from openmentor.programmes.models import Enrolment, Programme
from openmentor.programmes.roles import role_word, role_words
from openmentor.programmes.services.lifecycle import programme_require

if TYPE_CHECKING:
    from openmentor.accounts.models import User


# --- Writes -------------------------------------------------------------------------------


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
        send_request(queued, now, match_settings.response_days)
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
    words = role_words(programme)  # reverse mentoring's "junior mentor" in every message
    if not _is_active(programme, mentee.pk, Enrolment.Role.MENTEE):
        raise ValidationError(f"You are not an active {words.mentee} in {programme.name}.")
    if _mentors_needed(programme, mentee.pk) <= 0:
        raise ValidationError(f"You already have as many {words.mentors} as this programme allows.")
    if has_open_requests(programme=programme, mentee=mentee):
        raise ValidationError(
            "Your earlier requests are still waiting for answers; you can choose again if "
            "none of them works out."
        )
    if not mentor_ids:
        raise ValidationError({"choice_1": f"Choose at least one {words.mentor}."})
    if len(mentor_ids) > match_settings.recommendations_shown:
        raise ValidationError(
            f"You can choose at most {match_settings.recommendations_shown} {words.mentors}."
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
            errors[key] = f"That person is not an active {words.mentor} in {programme.name}."
        elif mentor_id in current:
            errors[key] = f"{name} is already your {words.mentor}."
        elif mentor_id in past:
            errors[key] = f"You have worked with {name} here before; choose someone new."
        elif mentor_id in answered:
            errors[key] = f"{name} already answered an earlier request from you."
        elif _room_left(programme, mentor_id) <= 0:
            errors[key] = f"{name} has no room for another {words.mentee} right now."
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
        send_request(request, now, match_settings.response_days)
    event_record(
        organisation=programme.organisation,
        actor=mentee,
        kind=EventKind.MATCHING_REQUESTS_SENT,
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
    words = role_words(programme)
    if not _is_active(programme, mentor.pk, Enrolment.Role.MENTOR):
        raise ValidationError(f"You are not an active {words.mentor} in {programme.name}.")
    if _room_left(programme, mentor.pk) <= 0:
        raise ValidationError(f"You have no room for another {words.mentee} right now.")
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
            {"mentee": f"That person is not an active {words.mentee} in {programme.name}."}
        )
    if _mentors_needed(programme, mentee_id) <= 0:
        raise ValidationError(
            {"mentee": f"That {words.mentee} already has as many {words.mentors} as allowed."}
        )
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
    send_request(request, timezone.now(), match_settings.response_days)
    event_record(
        organisation=programme.organisation,
        actor=mentor,
        kind=EventKind.MATCHING_MENTEE_INVITED,
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
                subject=f"{request.mentee.name} has found a {role_word(programme, 'mentor')}",
                template="matching/choice/email/withdrawn",
                context={
                    "name": request.mentor.name,
                    "mentee_name": request.mentee.name,
                    "asks": request.direction == ASKS,
                    "words": role_words(programme),
                    "programme_name": programme.name,
                    "url": page_url(programme, "mentor_requests"),
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
            notify(
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
        tell_requester(request, "full", next_name=_send_next(programme, request.mentee_id, now))


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
    tell_requester(request, "accepted")
    if _mentors_needed(programme, request.mentee_id) <= 0:
        _withdraw_rest(programme, request.mentee_id, now)
    else:
        _send_next(programme, request.mentee_id, now)
    _close_if_full(programme, request.mentor_id, now)
    event_record(
        organisation=programme.organisation,
        actor=user,
        kind=EventKind.MATCHING_REQUEST_ACCEPTED,
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
    tell_requester(request, "declined", next_name=next_name)
    event_record(
        organisation=request.programme.organisation,
        actor=user,
        kind=EventKind.MATCHING_REQUEST_DECLINED,
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
            tell_requester(request, "expired", next_name=next_name)
            expired += 1
    return expired
