"""Writes for a mentorship's lifecycle: creating it, the agreement, pausing and resuming,
and ending (no-fault); the requests for a new match are in rematch.py.

Each service is one transaction; e-mails go out on commit (`email_send` defers them).
Services check who may act, so a view that forgets cannot let the wrong person write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from openmentor.core.email import email_send
from openmentor.core.events import EventKind, event_record
from openmentor.mentorships import members
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.mentorships.models import (
    OPEN_STATUSES,
    EndingReflection,
    Mentorship,
    MentorshipTransition,
    RematchRequest,
)
from openmentor.mentorships.selectors import open_mentorship_count_as_mentor
from openmentor.mentorships.signals import mentorship_ended
from openmentor.notifications.services import notification_create
from openmentor.organisations.models import Membership
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from openmentor.programmes.roles import enrolment_role, is_peer, partner_word, role_word

if TYPE_CHECKING:
    from openmentor.accounts.models import User


NO_FAULT = "Mentorships end for many reasons, and ending one is not a judgement of anyone."
MAX_TEXT = 5000


def mentorship_url(mentorship: Mentorship) -> str:
    return reverse(
        "mentorship_detail", args=[mentorship.programme.organisation.slug, mentorship.pk]
    )


def _require_member(mentorship: Mentorship, user: User) -> str:
    """The person's role in the pair or circle ("mentor" or "mentee"), or PermissionDenied."""
    role = members.role_of(mentorship, user)
    if role is None:
        raise PermissionDenied("Only the members of a mentorship can do this.")
    return role


def _require_pair(mentorship: Mentorship, what: str) -> None:
    if mentorship.is_circle:
        raise ValidationError(
            f"A circle is not {what} as a whole: each member can leave it (no fault), and "
            "it ends when its last mentor leaves."
        )


def _require_open(mentorship: Mentorship) -> None:
    if mentorship.status == Mentorship.Status.ENDED:
        raise ValidationError("This mentorship has ended, so it can no longer be changed.")


def _transition(mentorship: Mentorship, to_status: str, actor: User | None) -> None:
    MentorshipTransition.objects.create(
        mentorship=mentorship, from_status=mentorship.status, to_status=to_status, actor=actor
    )
    mentorship.status = to_status


def _notify(mentorship: Mentorship, user_ids: Iterable[int], kind: str, text: str) -> None:
    for user_id in user_ids:
        notification_create(
            organisation_id=mentorship.programme.organisation_id,
            user_id=user_id,
            kind=kind,
            text=text,
            url=mentorship_url(mentorship),
        )


def _locked(mentorship: Mentorship) -> Mentorship:
    """Re-reads the row under a lock so two people acting at once see each other's change."""
    return (
        Mentorship.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "mentor", "mentee")
        .get(pk=mentorship.pk)
    )


# --- Lifecycle -----------------------------------------------------------------------


def _capacity_require(programme: Programme, mentor: User, mentee: User) -> None:
    """A mentor within their capacity, a mentee within the programme's mentors per mentee."""
    organisation = programme.organisation
    profile = Profile.objects.filter(organisation=organisation, user=mentor).first()
    capacity = profile.mentor_capacity if profile else programme.default_mentor_capacity
    if open_mentorship_count_as_mentor(organisation=organisation, user=mentor) >= capacity:
        raise ValidationError(
            {
                "mentor": f"{mentor.name} already mentors {capacity} "
                f"{'person' if capacity == 1 else 'people'}, their full capacity."
            }
        )
    mentee_open = Mentorship.objects.filter(
        programme=programme, mentee=mentee, status__in=OPEN_STATUSES
    ).count()
    if mentee_open >= programme.mentors_per_mentee:
        limit = programme.mentors_per_mentee
        raise ValidationError(
            {
                "mentee": f"{mentee.name} already has {mentee_open} "
                f"{role_word(programme, 'mentor' if mentee_open == 1 else 'mentors')}; "
                f"{programme.name} allows "
                f"{limit} at a time."
            }
        )


def _peer_room_require(programme: Programme, a: User, b: User) -> None:
    """Each peer within the programme's peers per person (``mentors_per_mentee``), counting
    their open pairs here on either side."""
    limit = programme.mentors_per_mentee
    for person, side in ((a, "mentor"), (b, "mentee")):
        count = Mentorship.objects.filter(
            Q(mentor=person) | Q(mentee=person), programme=programme, status__in=OPEN_STATUSES
        ).count()
        if count >= limit:
            raise ValidationError(
                {
                    side: f"{person.name} already has {count} peer(s); {programme.name} allows "
                    f"{limit} at a time."
                }
            )


def started_record(mentorship: Mentorship, user: User, now: dt.datetime) -> None:
    """Records that a mentorship (a pair or a circle) has started: the domain event the
    reports read and the activity the health and milestones read."""
    event_record(
        organisation=mentorship.programme.organisation,
        actor=user,
        kind=EventKind.MENTORSHIP_STARTED,
        data={"mentorship": mentorship.pk, "programme": mentorship.programme_id},
    )
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.STARTED,
        key=f"started:{mentorship.pk}",
        actor=user,
        at=now,
    )


@transaction.atomic
def mentorship_create(
    *,
    programme: Programme,
    mentor: User,
    mentee: User,
    created_by: User | None,
    source: str,
    match_score: float | None = None,
    match_reasons: Sequence[Any] = (),
    notify: bool = True,
) -> Mentorship:
    """Proposes a mentorship between an active mentor and an active mentee of `programme`.

    With `notify=False` the caller sends its own introduction e-mail (matching does, with
    the reasons for the match); the in-app notification is always made.

    Refuses (ValidationError at the `mentor`/`mentee` field) the same person twice,
    people outside the organisation or not actively enrolled in that role, a mentor at
    capacity, a mentee at the programme's mentors-per-mentee limit, and a pair that
    already has an open mentorship. Both are e-mailed; matching calls this too.
    """
    if source not in Mentorship.Source.values:
        raise ValidationError({"source": "Unknown source."})
    from openmentor.programmes.services.lifecycle import programme_require

    programme_require(programme, "match")
    if mentor.pk == mentee.pk:
        message = (
            "Choose two different peers."
            if is_peer(programme)
            else "A person cannot mentor themselves."
        )
        raise ValidationError({"mentee": message})
    organisation = programme.organisation
    members = set(
        Membership.objects.filter(
            organisation=organisation, user__in=[mentor.pk, mentee.pk]
        ).values_list("user_id", flat=True)
    )
    # Lock the two enrolments: concurrent creations for the same people queue up here,
    # so the capacity counts below cannot both pass (on databases that lock rows).
    enrolments = {
        (e.user_id, e.role): e
        for e in Enrolment.objects.select_for_update().filter(
            programme=programme,
            status=Enrolment.Status.ACTIVE,
            user__in=[mentor.pk, mentee.pk],
        )
    }
    errors: dict[str, str] = {}
    for person, side in ((mentor, "mentor"), (mentee, "mentee")):
        if person.pk not in members or (
            (person.pk, enrolment_role(programme, side)) not in enrolments
        ):
            word = role_word(programme, side)
            errors[side] = f"{person.name} is not an active {word} in {programme.name}."
    if errors:
        raise ValidationError(errors)
    pair = Q(mentor=mentor, mentee=mentee)
    if is_peer(programme):  # a peer pair is unordered
        pair |= Q(mentor=mentee, mentee=mentor)
    if Mentorship.objects.filter(pair, programme=programme, status__in=OPEN_STATUSES).exists():
        raise ValidationError(
            {"mentee": f"{mentor.name} and {mentee.name} already have an open mentorship here."}
        )
    if is_peer(programme):
        _peer_room_require(programme, mentor, mentee)
    else:
        _capacity_require(programme, mentor, mentee)
    try:
        with transaction.atomic():
            mentorship = Mentorship.objects.create(
                programme=programme,
                mentor=mentor,
                mentee=mentee,
                status=Mentorship.Status.PROPOSED,
                source=source,
                created_by=created_by,
                agreed_cadence_weeks=programme.cadence_weeks,
                agreed_session_minutes=programme.session_minutes,
                match_score=match_score,
                match_reasons=list(match_reasons),
            )
    except IntegrityError as error:
        # The constraint catches the race the check above cannot see.
        raise ValidationError(
            {"mentee": f"{mentor.name} and {mentee.name} already have an open mentorship here."}
        ) from error
    MentorshipTransition.objects.create(
        mentorship=mentorship,
        from_status="",
        to_status=Mentorship.Status.PROPOSED,
        actor=created_by,
    )
    event_record(
        organisation=organisation,
        actor=created_by,
        kind=EventKind.MENTORSHIP_CREATED,
        data={"mentorship": mentorship.pk, "programme": programme.pk, "source": source},
    )
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.MATCHED,
        key=f"matched:{mentorship.pk}",
        actor=created_by,
        at=mentorship.created_at,
        data={"source": source},
    )
    url = settings.SITE_URL + mentorship_url(mentorship)
    for person, partner, role in ((mentor, mentee, "mentor"), (mentee, mentor, "mentee")):
        if not notify:
            break
        email_send(
            to=[person.email],
            subject=f"Meet your {partner_word(programme, role)}: {partner.name}",
            template="mentorships/email/created",
            context={
                "name": person.name,
                "partner_name": partner.name,
                "role": role,
                "partner_word": partner_word(programme, role),
                "programme_name": programme.name,
                "url": url,
            },
        )
    _notify(
        mentorship,
        (mentor.pk, mentee.pk),
        "mentorship.created",
        f"You have a new mentorship in {programme.name}: read and accept the agreement.",
    )
    return mentorship


@transaction.atomic
def mentorship_accept_agreement(
    *,
    mentorship: Mentorship,
    user: User,
    hopes: str,
    confidentiality: bool,
    cadence_weeks: int | None = None,
) -> Mentorship:
    """Records one member's acceptance; when both have accepted, the mentorship starts.

    A member may propose another cadence; if it differs from what the partner accepted,
    the partner's acceptance is cleared so they agree to the same terms.
    """
    mentorship = _locked(mentorship)
    role = _require_member(mentorship, user)
    if mentorship.is_circle:  # each member accepts for themselves: circles.py
        raise ValidationError("A circle's agreement is accepted on the circle's page.")
    if mentorship.status != Mentorship.Status.PROPOSED:
        raise ValidationError("The agreement has already been accepted by you both.")
    errors: dict[str, str] = {}
    hopes = hopes.strip()
    if not hopes:
        errors["hopes"] = "Write a sentence or two about what you hope for."
    elif len(hopes) > 2000:
        errors["hopes"] = "Keep it under 2,000 characters."
    if not confidentiality:
        errors["confidentiality"] = "Tick this to agree to keep what you share confidential."
    if cadence_weeks is not None and not 1 <= cadence_weeks <= 12:
        errors["cadence_weeks"] = "Choose between 1 and 12 weeks."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    own_accepted = f"{role}_accepted_at"
    if getattr(mentorship, own_accepted) is not None:
        raise ValidationError("You have already accepted; we are waiting for your partner.")
    other = "mentee" if role == "mentor" else "mentor"
    if cadence_weeks is not None and cadence_weeks != mentorship.agreed_cadence_weeks:
        mentorship.agreed_cadence_weeks = cadence_weeks
        setattr(mentorship, f"{other}_accepted_at", None)
    setattr(mentorship, own_accepted, now)
    setattr(mentorship, f"{role}_hopes", hopes)
    partner_id = mentorship.partner_of(user.pk)
    if mentorship.mentor_accepted_at and mentorship.mentee_accepted_at:
        mentorship.confidentiality_accepted = True
        mentorship.started_at = now
        _transition(mentorship, Mentorship.Status.ACTIVE, user)
        for side in ("mentor", "mentee"):
            Enrolment.objects.filter(
                programme=mentorship.programme,
                user_id=getattr(mentorship, f"{side}_id"),
                role=enrolment_role(mentorship.programme, side),
            ).update(matched_at=now)
        started_record(mentorship, user, now)
        _notify(
            mentorship,
            (partner_id,),
            "mentorship.started",
            f"{user.name} accepted the agreement: your mentorship has started.",
        )
    else:
        _notify(
            mentorship,
            (partner_id,),
            "mentorship.agreement",
            f"{user.name} accepted the mentoring agreement; it is your turn.",
        )
    mentorship.save()
    return mentorship


def _change_status(
    mentorship: Mentorship, user: User, *, from_status: str, to_status: str, verb: str
) -> Mentorship:
    mentorship = _locked(mentorship)
    _require_member(mentorship, user)
    if mentorship.status != from_status:
        raise ValidationError(
            f"Only {'an active' if from_status == 'active' else 'a paused'} mentorship "
            f"can be {verb}."
        )
    _transition(mentorship, to_status, user)
    mentorship.save(update_fields=["status"])
    event_record(
        organisation=mentorship.programme.organisation,
        actor=user,
        kind=EventKind(f"mentorship.{verb}"),
        data={"mentorship": mentorship.pk},
    )
    _notify(
        mentorship,
        (mentorship.partner_of(user.pk),),
        f"mentorship.{verb}",
        f"{user.name} {verb} your mentorship.",
    )
    return mentorship


@transaction.atomic
def mentorship_pause(*, mentorship: Mentorship, user: User) -> Mentorship:
    """Either member pauses an active mentorship (a holiday, a busy month)."""
    return _change_status(mentorship, user, from_status="active", to_status="paused", verb="paused")


@transaction.atomic
def mentorship_resume(*, mentorship: Mentorship, user: User) -> Mentorship:
    """Either member resumes a paused mentorship."""
    return _change_status(
        mentorship, user, from_status="paused", to_status="active", verb="resumed"
    )


def _clear_matched_at(mentorship: Mentorship) -> None:
    programme = mentorship.programme
    if mentorship.is_circle:
        for person in members.people_of(mentorship):
            others = Mentorship.objects.filter(
                members.member_q(person.user), programme=programme, status__in=OPEN_STATUSES
            ).exclude(pk=mentorship.pk)
            if not others.exists():
                Enrolment.objects.filter(
                    programme=programme, user_id=person.user.pk, role=person.role
                ).update(matched_at=None)
        return
    for user_id, field in ((mentorship.mentor_id, "mentor"), (mentorship.pair_mentee_id, "mentee")):
        role = enrolment_role(programme, field)
        mine = Q(**{field: user_id})
        if is_peer(programme):  # a peer's other pairs may have them on either side
            mine = Q(mentor=user_id) | Q(mentee=user_id)
        others = Mentorship.objects.filter(
            mine, programme=programme, status__in=OPEN_STATUSES
        ).exclude(pk=mentorship.pk)
        if not others.exists():
            Enrolment.objects.filter(
                programme=mentorship.programme, user_id=user_id, role=role
            ).update(matched_at=None)


def _rematch_create(mentorship: Mentorship, user: User, role: str) -> RematchRequest:
    try:
        with transaction.atomic():
            return RematchRequest.objects.create(
                programme=mentorship.programme,
                requester=user,
                role=role,
                excluded_partner_id=mentorship.partner_of(user.pk),
                previous_mentorship=mentorship,
            )
    except IntegrityError as error:
        raise ValidationError("You have already asked for a new match.") from error


@transaction.atomic
def mentorship_end(
    *, mentorship: Mentorship, user: User, reason: str, reflection: str, want_rematch: bool
) -> Mentorship:
    """Either member ends the mentorship at any time, with a reason code.

    The reflection is stored for its author alone; the partner gets a kind, no-fault
    e-mail; with `want_rematch` the person joins the manager's rematch queue.
    """
    mentorship = _locked(mentorship)
    role = _require_member(mentorship, user)
    _require_pair(mentorship, "ended")
    _require_open(mentorship)
    if reason not in Mentorship.EndReason.values or reason == Mentorship.EndReason.INACTIVE:
        raise ValidationError({"reason": "Choose the reason that fits best."})
    reflection = reflection.strip()
    if len(reflection) > MAX_TEXT:
        raise ValidationError({"reflection": "Keep your reflection under 5,000 characters."})
    now = timezone.now()
    mentorship.ended_at = now
    mentorship.ended_by = user
    mentorship.end_reason = reason
    _transition(mentorship, Mentorship.Status.ENDED, user)
    mentorship.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    if reflection:
        EndingReflection.objects.create(mentorship=mentorship, author=user, text=reflection)
    _clear_matched_at(mentorship)
    # The meetings app cancels the pair's upcoming meetings here, in this transaction.
    mentorship_ended.send(sender=Mentorship, mentorship=mentorship, actor=user)
    if want_rematch:
        _rematch_create(mentorship, user, role)
    event_record(
        organisation=mentorship.programme.organisation,
        actor=user,
        kind=EventKind.MENTORSHIP_ENDED,
        data={"mentorship": mentorship.pk, "reason": reason, "rematch": want_rematch},
    )
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.ENDED,
        key=f"ended:{mentorship.pk}",
        actor=user,
        at=now,
        data={"reason": reason},
    )
    partner = mentorship.pair_mentee if role == "mentor" else mentorship.mentor
    email_send(
        to=[partner.email],
        subject=f"Your mentorship with {user.name} has ended",
        template="mentorships/email/ended",
        context={
            "name": partner.name,
            "partner_name": user.name,
            "programme_name": mentorship.programme.name,
            "no_fault": NO_FAULT,
            "url": settings.SITE_URL + mentorship_url(mentorship),
        },
    )
    _notify(
        mentorship,
        (partner.pk,),
        "mentorship.ended",
        f"Your mentorship with {user.name} has ended. {NO_FAULT}",
    )
    return mentorship
