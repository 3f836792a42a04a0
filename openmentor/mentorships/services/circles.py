"""Writes for group mentoring circles: forming one, adding and removing people, each
member's agreement, and no-fault leaving.

A circle is a Mentorship of kind "circle" (docs/decisions/0010-circles.md): one or two
mentors and up to `capacity` mentees around a topic, in a group programme. Everything a
pair has (conversation, meetings, goals, notes, health, feedback) reads its members
through `mentorships.members`, so these services are the only place membership changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openmentor.core.email import email_send
from openmentor.core.events import EventKind, event_record
from openmentor.mentorships import members
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.mentorships.models import (
    OPEN_STATUSES,
    Mentorship,
    MentorshipMember,
    MentorshipTransition,
)
from openmentor.mentorships.services.lifecycle import (
    NO_FAULT,
    _locked,
    _notify,
    _transition,
    mentorship_url,
    started_record,
)
from openmentor.mentorships.signals import circle_member_left, mentorship_ended
from openmentor.programmes.models import Enrolment, Programme

if TYPE_CHECKING:
    from openmentor.accounts.models import User
    from openmentor.organisations.models import Membership

MAX_MENTORS = 2
MAX_CAPACITY = 50
MAX_TOPIC = 200
ROLES = (MentorshipMember.Role.MENTOR, MentorshipMember.Role.MENTEE)


def _require_manager(programme: Programme, manager: Membership) -> None:
    if not manager.is_manager or manager.organisation_id != programme.organisation_id:
        raise PermissionDenied("Only the programme's managers can form circles.")


def _require_circle(circle: Mentorship) -> None:
    if not circle.is_circle:
        raise ValidationError("This is a pair, not a circle.")
    if circle.status == Mentorship.Status.ENDED:
        raise ValidationError("This circle has ended, so its members can no longer change.")


def _active_enrolments(programme: Programme, user_ids: Sequence[int]) -> set[tuple[int, str]]:
    # Locked, so two managers adding people at once queue up behind each other.
    return set(
        Enrolment.objects.select_for_update()
        .filter(programme=programme, status=Enrolment.Status.ACTIVE, user_id__in=user_ids)
        .values_list("user_id", "role")
    )


def _mark_matched(programme: Programme, user_id: int, role: str, now: object) -> None:
    Enrolment.objects.filter(programme=programme, user_id=user_id, role=role).update(matched_at=now)


@transaction.atomic
def circle_create(
    *,
    programme: Programme,
    manager: Membership | None,
    topic: str,
    capacity: int,
    mentors: Sequence[User],
    mentees: Sequence[User] = (),
    source: str = Mentorship.Source.MANAGER,
) -> Mentorship:
    """Forms a circle in a group programme: one or two of its active mentors, up to
    `capacity` of its active mentees, around `topic`. Everyone gets the agreement to
    accept. Refuses (ValidationError by field) anything else. `manager` None is the
    matching app acting for a manager it has already checked."""
    if manager is not None:
        _require_manager(programme, manager)
    from openmentor.programmes.services.lifecycle import programme_require

    programme_require(programme, "match")
    errors: dict[str, str] = {}
    if programme.kind != Programme.Kind.GROUP:
        errors["topic"] = "Circles belong to group programmes; this programme is not one."
    topic = topic.strip()
    if not topic:
        errors["topic"] = "Give the circle a topic, e.g. “Moving into management”."
    elif len(topic) > MAX_TOPIC:
        errors["topic"] = f"Keep the topic under {MAX_TOPIC} characters."
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = f"A circle takes between 1 and {MAX_CAPACITY} mentees."
    mentor_ids = [u.pk for u in mentors]
    mentee_ids = [u.pk for u in mentees]
    if not 1 <= len(set(mentor_ids)) <= MAX_MENTORS or len(set(mentor_ids)) != len(mentor_ids):
        errors["mentors"] = "Choose one or two different mentors."
    if len(set(mentee_ids)) != len(mentee_ids):
        errors["mentees"] = "Each mentee can be chosen once."
    elif len(mentee_ids) > capacity >= 1:
        errors["mentees"] = f"The circle takes {capacity} mentees; {len(mentee_ids)} were chosen."
    if set(mentor_ids) & set(mentee_ids):
        errors["mentees"] = "Nobody can be both a mentor and a mentee of one circle."
    if errors:
        raise ValidationError(errors)
    enrolled = _active_enrolments(programme, mentor_ids + mentee_ids)
    for people, role, field in ((mentors, "mentor", "mentors"), (mentees, "mentee", "mentees")):
        missing = [u.name for u in people if (u.pk, role) not in enrolled]
        if missing:
            errors[field] = f"Not an active {role} in {programme.name}: {', '.join(missing)}."
    if errors:
        raise ValidationError(errors)
    actor = manager.user if manager is not None else None
    circle = Mentorship.objects.create(
        programme=programme,
        kind=Mentorship.Kind.CIRCLE,
        mentor=mentors[0],
        mentee=None,
        topic=topic,
        capacity=capacity,
        status=Mentorship.Status.PROPOSED,
        source=source,
        created_by=actor,
        agreed_cadence_weeks=programme.cadence_weeks,
        agreed_session_minutes=programme.session_minutes,
    )
    now = timezone.now()
    MentorshipMember.objects.bulk_create(
        [MentorshipMember(mentorship=circle, user=u, role="mentor", joined_at=now) for u in mentors]
        + [
            MentorshipMember(mentorship=circle, user=u, role="mentee", joined_at=now)
            for u in mentees
        ]
    )
    MentorshipTransition.objects.create(
        mentorship=circle, from_status="", to_status=Mentorship.Status.PROPOSED, actor=actor
    )
    event_record(
        organisation=programme.organisation,
        actor=actor,
        kind=EventKind.MENTORSHIP_CREATED,
        data={"mentorship": circle.pk, "programme": programme.pk, "source": source},
    )
    activity_record(
        mentorship=circle,
        kind=ActivityKind.MATCHED,
        key=f"matched:{circle.pk}",
        actor=actor,
        at=circle.created_at,
        data={"source": source, "circle": True},
    )
    for person in [*mentors, *mentees]:
        _welcome(circle, person)
    return circle


def _welcome(circle: Mentorship, person: User) -> None:
    url = settings.SITE_URL + mentorship_url(circle)
    email_send(
        to=[person.email],
        subject=f"You are in a mentoring circle: {circle.topic}",
        template="mentorships/email/circle_joined",
        context={
            "name": person.name,
            "topic": circle.topic,
            "programme_name": circle.programme.name,
            "url": url,
        },
    )
    _notify(
        circle,
        (person.pk,),
        "mentorship.created",
        f"You are in the {circle.topic} circle in {circle.programme.name}: "
        "read and accept its agreement.",
    )


@transaction.atomic
def circle_member_add(
    *, circle: Mentorship, manager: Membership, user: User, role: str
) -> MentorshipMember:
    """Adds an active mentor or mentee of the programme to an open circle, within its
    capacity (and at most two mentors). Someone who left earlier comes back."""
    _require_manager(circle.programme, manager)
    circle = _locked(circle)
    _require_circle(circle)
    if role not in ROLES:
        raise ValidationError({"role": "Choose mentor or mentee."})
    if (user.pk, role) not in _active_enrolments(circle.programme, [user.pk]):
        raise ValidationError(
            {"user": f"{user.name} is not an active {role} in {circle.programme.name}."}
        )
    current = members.people_of(circle)
    if any(p.user.pk == user.pk for p in current):
        raise ValidationError({"user": f"{user.name} is already in this circle."})
    same_role = sum(1 for p in current if p.role == role)
    if role == "mentor" and same_role >= MAX_MENTORS:
        raise ValidationError({"role": "A circle has at most two mentors."})
    if role == "mentee" and same_role >= (circle.capacity or 0):
        raise ValidationError({"user": f"The circle is full ({circle.capacity} mentees)."})
    now = timezone.now()
    row, created = MentorshipMember.objects.get_or_create(
        mentorship=circle, user=user, defaults={"role": role, "joined_at": now}
    )
    if not created:  # they left before and come back, with a fresh agreement
        row.role, row.joined_at, row.left_at, row.accepted_at = role, now, None, None
        row.save(update_fields=["role", "joined_at", "left_at", "accepted_at"])
    if circle.status != Mentorship.Status.PROPOSED:
        _mark_matched(circle.programme, user.pk, role, now)
    _welcome(circle, user)
    return row


@transaction.atomic
def circle_accept_agreement(
    *, circle: Mentorship, user: User, hopes: str, confidentiality: bool
) -> Mentorship:
    """One member accepts the circle's agreement for themselves. The circle starts once a
    mentor and a mentee have accepted; people who accept later simply join in."""
    circle = _locked(circle)
    _require_circle(circle)
    row = MentorshipMember.objects.filter(
        mentorship=circle, user=user, left_at__isnull=True
    ).first()
    if row is None:
        raise PermissionDenied("Only the circle's members can accept its agreement.")
    errors: dict[str, str] = {}
    hopes = hopes.strip()
    if not hopes:
        errors["hopes"] = "Write a sentence or two about what you hope for."
    elif len(hopes) > 2000:
        errors["hopes"] = "Keep it under 2,000 characters."
    if not confidentiality:
        errors["confidentiality"] = "Tick this to agree to keep what you share confidential."
    if errors:
        raise ValidationError(errors)
    if row.accepted_at is not None:
        raise ValidationError("You have already accepted this circle's agreement.")
    now = timezone.now()
    row.accepted_at, row.hopes = now, hopes
    row.save(update_fields=["accepted_at", "hopes"])
    if circle.status == Mentorship.Status.PROPOSED:
        accepted = set(
            MentorshipMember.objects.filter(
                mentorship=circle, left_at__isnull=True, accepted_at__isnull=False
            ).values_list("role", flat=True)
        )
        if accepted >= {"mentor", "mentee"}:
            circle.started_at = now
            circle.confidentiality_accepted = True
            _transition(circle, Mentorship.Status.ACTIVE, user)
            circle.save(update_fields=["status", "started_at", "confidentiality_accepted"])
            started_record(circle, user, now)
            others = [u.pk for u in members.others_of(circle, user)]
            _notify(circle, others, "mentorship.started", f"The {circle.topic} circle has started.")
            # Everyone who accepted before the start is matched from now on.
            for person in members.people_of(circle):
                if person.accepted_at is not None:
                    _mark_matched(circle.programme, person.user.pk, person.role, now)
    elif circle.status != Mentorship.Status.PROPOSED:
        _mark_matched(circle.programme, user.pk, row.role, now)
    return circle


@transaction.atomic
def circle_leave(*, circle: Mentorship, user: User, actor: User | None = None) -> Mentorship:
    """`user` leaves the circle, no fault to anyone (`actor` is a manager removing them,
    or None when they leave themselves). The circle goes on without them; when its last
    mentor leaves it ends, and its meetings still to come are cancelled."""
    circle = _locked(circle)
    _require_circle(circle)
    row = MentorshipMember.objects.filter(
        mentorship=circle, user=user, left_at__isnull=True
    ).first()
    if row is None:
        raise PermissionDenied("Only the circle's members can leave it.")
    now = timezone.now()
    row.left_at = now
    row.save(update_fields=["left_at"])
    circle_member_left.send(sender=Mentorship, circle=circle, user=user)
    staying = list(
        MentorshipMember.objects.filter(mentorship=circle, left_at__isnull=True)
        .select_related("user")
        .order_by("joined_at", "pk")
    )
    mentors_left = [r.user for r in staying if r.role == "mentor"]
    if (
        not Mentorship.objects.filter(
            members.member_q(user), programme=circle.programme, status__in=OPEN_STATUSES
        )
        .exclude(pk=circle.pk)
        .exists()
    ):
        _mark_matched(circle.programme, user.pk, row.role, None)
    if not mentors_left:
        circle.ended_at = now
        circle.ended_by = actor or user
        circle.end_reason = Mentorship.EndReason.OTHER
        _transition(circle, Mentorship.Status.ENDED, actor or user)
        circle.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
        mentorship_ended.send(sender=Mentorship, mentorship=circle, actor=actor or user)
        event_record(
            organisation=circle.programme.organisation,
            actor=actor or user,
            kind=EventKind.MENTORSHIP_ENDED,
            data={"mentorship": circle.pk, "reason": "last_mentor_left", "rematch": False},
        )
        activity_record(
            mentorship=circle,
            kind=ActivityKind.ENDED,
            key=f"ended:{circle.pk}",
            actor=actor or user,
            at=now,
            data={"reason": "last_mentor_left"},
        )
        text = f"The {circle.topic} circle has ended: its last mentor has left. {NO_FAULT}"
    else:
        if circle.mentor_id == user.pk:  # the lead mentor left: the other one leads
            circle.mentor = mentors_left[0]
            circle.save(update_fields=["mentor"])
        text = f"{user.name} has left the {circle.topic} circle; the circle goes on. {NO_FAULT}"
    _notify(circle, [r.user_id for r in staying], "mentorship.circle_left", text)
    return circle


@transaction.atomic
def circle_member_remove(*, circle: Mentorship, manager: Membership, user: User) -> Mentorship:
    """A manager takes someone out of a circle (as if they had left, no fault)."""
    _require_manager(circle.programme, manager)
    return circle_leave(circle=circle, user=user, actor=manager.user)
