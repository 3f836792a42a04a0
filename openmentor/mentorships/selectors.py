"""Reads for mentorships, always scoped to an organisation and to the reader's place in it.

Privacy rule kept here in one place: private notes and ending reflections are only ever
read with the reader as author, so no page can hand them to a partner or a manager.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from openmentor.mentorships.members import current_members_prefetch, member_q, others_of
from openmentor.mentorships.models import (
    OPEN_STATUSES,
    Activity,
    EndingReflection,
    ExternalMeeting,
    Goal,
    Icebreaker,
    Mentorship,
    MentorshipMember,
    Milestone,
    Note,
    RematchRequest,
)
from openmentor.programmes.models import Enrolment, Programme

if TYPE_CHECKING:
    from openmentor.accounts.models import User
    from openmentor.organisations.models import Membership, Organisation

# Shown while a programme's managers have not written their own.
DEFAULT_ICEBREAKERS: dict[int, list[str]] = {
    1: [
        "What made you sign up for this programme?",
        "What does a good week at work look like for you?",
        "How do you like to receive feedback?",
    ],
    2: [
        "What has changed since we last met?",
        "Which goal would make the biggest difference if we reached it first?",
        "What is one thing you would like to try before we next meet?",
    ],
}


def _mentorships(*, organisation: Organisation) -> QuerySet[Mentorship]:
    return Mentorship.objects.filter(programme__organisation=organisation).select_related(
        "programme", "mentor", "mentee"
    )


def mentorship_for_member(*, membership: Membership, mentorship_id: int) -> Mentorship:
    """One of the person's own mentorships in this organisation; anything else is a 404."""
    mentorship = (
        _mentorships(organisation=membership.organisation)
        .filter(member_q(membership.user), pk=mentorship_id)
        .first()
    )
    if mentorship is None:
        raise Http404("No such mentorship")
    return mentorship


def mentorship_for_manager(*, membership: Membership, mentorship_id: int) -> Mentorship:
    """Any mentorship of the organisation, for its managers only."""
    if not membership.is_manager:
        raise Http404("No such mentorship")
    mentorship = _mentorships(organisation=membership.organisation).filter(pk=mentorship_id).first()
    if mentorship is None:
        raise Http404("No such mentorship")
    return mentorship


def mentorships_for_member(
    *, membership: Membership, include_ended: bool = False
) -> QuerySet[Mentorship]:
    """The person's mentorships (partner and programme loaded), open ones by default.

    Each row carries `goal_count` and `goals_reached`; use `partner_for(m, user)` for
    the other member.
    """
    rows = _mentorships(organisation=membership.organisation).filter(member_q(membership.user))
    if not include_ended:
        rows = rows.filter(status__in=OPEN_STATUSES)
    return (
        rows.prefetch_related(current_members_prefetch())
        .annotate(
            goal_count=Count("goals", distinct=True),
            goals_reached=Count("goals", filter=Q(goals__reached_at__isnull=False), distinct=True),
            # The annotation's GROUP BY drops Meta.ordering: newest first, explicitly.
        )
        .order_by("-created_at", "-pk")
    )


def partner_for(mentorship: Mentorship, user: User) -> User:
    """The other person of a pair (circles have several: `members.others_of`)."""
    return others_of(mentorship, user)[0]


def programme_mentorships(*, programme: Programme) -> QuerySet[Mentorship]:
    return Mentorship.objects.filter(programme=programme).select_related("mentor", "mentee")


REASONS_SHOWN_FROM = 5


def ending_reason_counts(*, programme: Programme) -> list[tuple[str, int]]:
    """(reason label, number of ended mentorships) for every reason, zeros included.

    Counts only: why one particular pair ended is not shown to managers. Below
    REASONS_SHOWN_FROM ended mentorships the counts would point at a pair (the list shows
    which ended), so then nothing is returned.
    """
    rows = (
        Mentorship.objects.filter(programme=programme, status=Mentorship.Status.ENDED)
        .values("end_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    found = {row["end_reason"]: row["n"] for row in rows}
    if sum(found.values()) < REASONS_SHOWN_FROM:
        return []
    return [(label, found.get(value, 0)) for value, label in Mentorship.EndReason.choices]


def open_rematch_requests(*, programme: Programme) -> QuerySet[RematchRequest]:
    return RematchRequest.objects.filter(
        programme=programme, status=RematchRequest.Status.OPEN
    ).select_related("requester", "excluded_partner")


def rematch_request_for_manager(*, programme: Programme, rematch_id: int) -> RematchRequest:
    found = (
        RematchRequest.objects.filter(programme=programme, pk=rematch_id)
        .select_related("requester", "excluded_partner", "programme")
        .first()
    )
    if found is None:
        raise Http404("No such rematch request")
    return found


def excluded_partners(*, programme: Programme, user: User) -> set[int]:
    """User ids never to pair `user` with again in this programme (for matching).

    The partners named by the person's open rematch requests and every partner of their
    ended mentorships here.
    """
    excluded = set(
        RematchRequest.objects.filter(
            programme=programme, requester=user, status=RematchRequest.Status.OPEN
        )
        .exclude(excluded_partner=None)
        .values_list("excluded_partner_id", flat=True)
    )
    for mentor_id, mentee_id in Mentorship.objects.filter(
        Q(mentor=user) | Q(mentee=user),
        programme=programme,
        status=Mentorship.Status.ENDED,
        kind=Mentorship.Kind.PAIR,
    ).values_list("mentor_id", "mentee_id"):
        excluded.add(mentee_id if mentor_id == user.pk else mentor_id)
    excluded.discard(None)  # type: ignore[arg-type]
    return excluded


def active_enrolments(*, programme: Programme, role: str) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(programme=programme, role=role, status=Enrolment.Status.ACTIVE)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def goals_for(*, mentorship: Mentorship) -> QuerySet[Goal]:
    return Goal.objects.filter(mentorship=mentorship).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id"))
    )


def goal_for_member(*, mentorship: Mentorship, goal_id: int) -> Goal:
    goal = goals_for(mentorship=mentorship).filter(pk=goal_id).first()
    if goal is None:
        raise Http404("No such goal")
    return goal


def milestone_for_member(*, goal: Goal, milestone_id: int) -> Milestone:
    milestone = Milestone.objects.filter(goal=goal, pk=milestone_id).first()
    if milestone is None:
        raise Http404("No such milestone")
    return milestone


def notes_for_member(*, mentorship: Mentorship, user: User) -> QuerySet[Note]:
    """Shared notes and the reader's own private ones; a partner's private notes never."""
    return (
        Note.objects.filter(mentorship=mentorship)
        .filter(Q(private=False) | Q(author=user))
        .select_related("author")
    )


def notes_for_meeting(*, mentorship: Mentorship, meeting_id: int) -> QuerySet[Note]:
    """The shared notes written from one meeting of this pair, oldest first. Never
    private ones (they stay on the mentorship page): the caller decides who may read."""
    return (
        Note.objects.filter(mentorship=mentorship, meeting_id=meeting_id, private=False)
        .select_related("author")
        .order_by("created_at", "id")
    )


def reflection_of(*, mentorship: Mentorship, author: User) -> EndingReflection | None:
    return EndingReflection.objects.filter(mentorship=mentorship, author=author).first()


def external_meetings_for(mentorship: Mentorship) -> QuerySet[ExternalMeeting]:
    """Meetings held outside the platform, self-reported by either member."""
    return ExternalMeeting.objects.filter(mentorship=mentorship).select_related("logged_by")


def icebreakers_for(*, programme: Programme) -> QuerySet[Icebreaker]:
    return Icebreaker.objects.filter(programme=programme)


def icebreaker_for_manager(*, programme: Programme, icebreaker_id: int) -> Icebreaker:
    icebreaker = icebreakers_for(programme=programme).filter(pk=icebreaker_id).first()
    if icebreaker is None:
        raise Http404("No such icebreaker")
    return icebreaker


def icebreakers_by_meeting(*, programme: Programme) -> dict[int, list[str]]:
    """The programme's icebreakers for meetings 1 and 2, or the defaults where it has none."""
    found: dict[int, list[str]] = {1: [], 2: []}
    for icebreaker in icebreakers_for(programme=programme):
        found[icebreaker.meeting_number].append(icebreaker.text)
    return {n: found[n] or DEFAULT_ICEBREAKERS[n] for n in (1, 2)}


def open_mentorship_count_as_mentor(*, organisation: Organisation, user: User) -> int:
    """Open pairs the person mentors across the organisation (capacity is per person and
    counts mentees one to one; leading a circle is not counted against it)."""
    return Mentorship.objects.filter(
        programme__organisation=organisation,
        mentor=user,
        status__in=OPEN_STATUSES,
        kind=Mentorship.Kind.PAIR,
    ).count()


def milestones_for(*, mentorship: Mentorship) -> list[Activity]:
    """The pair's milestones (first and fifth meeting, the programme's halfway point) and
    goals reached, oldest first, from the activity record."""
    return list(
        Activity.objects.filter(
            mentorship=mentorship, kind__in=[Activity.Kind.MILESTONE, Activity.Kind.GOAL_REACHED]
        ).order_by("occurred_at", "pk")
    )


# --- Circles ----------------------------------------------------------------------------


def circle_member_rows(*, circle: Mentorship) -> list[MentorshipMember]:
    """The circle's current members with their agreement, mentors first (one query)."""
    return list(
        MentorshipMember.objects.filter(mentorship=circle, left_at__isnull=True)
        .select_related("user")
        .order_by("role", "joined_at", "pk")
    )


def programme_circles(*, programme: Programme) -> list[Mentorship]:
    """The programme's circles, newest first, each with `people` (current members, mentors
    first) and `mentee_count`: two queries whatever the number of circles."""
    circles: list[Mentorship] = list(
        Mentorship.objects.filter(programme=programme, kind=Mentorship.Kind.CIRCLE)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=MentorshipMember.objects.filter(left_at__isnull=True)
                .select_related("user")
                .order_by("role", "joined_at", "pk"),
                to_attr="people",
            )
        )
        .order_by("-created_at", "-pk")[:500]
    )
    for circle in circles:
        people: list[MentorshipMember] = circle.people  # type: ignore[attr-defined]
        circle.mentee_count = len([p for p in people if p.role == "mentee"])  # type: ignore[attr-defined]
    return circles


def circle_for_manager(*, programme: Programme, circle_id: int) -> Mentorship:
    circle = (
        Mentorship.objects.filter(programme=programme, kind=Mentorship.Kind.CIRCLE, pk=circle_id)
        .select_related("programme__organisation", "mentor")
        .first()
    )
    if circle is None:
        raise Http404("No such circle")
    return circle


def circle_candidates(*, circle: Mentorship) -> QuerySet[Enrolment]:
    """Active mentors and mentees of the programme who are not in the circle now."""
    inside = MentorshipMember.objects.filter(mentorship=circle, left_at__isnull=True).values(
        "user_id"
    )
    return (
        Enrolment.objects.filter(
            programme_id=circle.programme_id,
            status=Enrolment.Status.ACTIVE,
            role__in=[Enrolment.Role.MENTOR, Enrolment.Role.MENTEE],
        )
        .exclude(user_id__in=inside)
        .select_related("user")
        .order_by("role", "user__first_name", "user__last_name", "user__email")
    )
