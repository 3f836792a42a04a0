"""What a participant's home page shows: upcoming meetings, their mentorships with health
at a glance, open goals, unread messages and the next step to take.

A fixed number of queries whatever the number of mentorships.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import CharField, Max, Value
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.meetings.models import Meeting
from openmentor.mentorships import members
from openmentor.mentorships.models import Activity, Goal, Mentorship
from openmentor.mentorships.selectors import mentorships_for_member
from openmentor.messaging.selectors import unread_counts
from openmentor.organisations.models import Membership
from openmentor.people.models import Profile


@dataclass
class MentorshipHealth:
    level: str  # "good" | "quiet" | "new" | "waiting"
    label: str
    detail: str


@dataclass
class HomeMentorship:
    mentorship: Mentorship
    partner: User | members.Named  # a circle is named by its topic
    role: str  # the viewer's role: "mentor" | "mentee"
    health: MentorshipHealth
    unread: int
    next_step: str
    next_step_url_name: str


@dataclass
class UpcomingMeeting:
    meeting: Meeting
    partner: User | members.Named
    needs_my_answer: bool


@dataclass
class HomeData:
    mentorships: list[HomeMentorship] = field(default_factory=list)
    meetings: list[UpcomingMeeting] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    unread_total: int = 0
    timezone_name: str = "UTC"
    profile_completeness: int = 0

    @property
    def next_step(self) -> HomeMentorship | None:
        return next((m for m in self.mentorships if m.next_step_url_name), None)


def mentorship_health(
    *, mentorship: Mentorship, last_activity: datetime | None, now: datetime
) -> MentorshipHealth:
    """Healthy while the pair meets or talks within 1.5 × their agreed cadence.

    Activity is a meeting held (a call both attended, or logged as held elsewhere), or a
    message, as the activity record has them.
    """
    if mentorship.status == Mentorship.Status.PROPOSED:
        return MentorshipHealth("waiting", "Starting", "Waiting for both of you to agree")
    if mentorship.status == Mentorship.Status.PAUSED:
        return MentorshipHealth("quiet", "Paused", "Paused for now")
    allowed = timedelta(weeks=mentorship.agreed_cadence_weeks or 2) * 1.5
    started = mentorship.started_at or mentorship.created_at
    if last_activity is None:
        if now - started <= allowed:
            return MentorshipHealth("new", "New", "Just started: plan your first meeting")
        return MentorshipHealth("quiet", "Quiet", "No meeting or message yet")
    days = (now - last_activity).days
    when = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
    if now - last_activity <= allowed:
        return MentorshipHealth("good", "On track", f"Last in touch {when}")
    return MentorshipHealth("quiet", "Gone quiet", f"Last in touch {when}")


def participant_home(*, membership: Membership, now: datetime | None = None) -> HomeData:
    now = now or timezone.now()
    user = membership.user
    profile = Profile.objects.filter(organisation=membership.organisation, user=user).first()
    tz_name = profile.timezone if profile and profile.timezone else "UTC"
    mentorships = list(mentorships_for_member(membership=membership))
    ids = [m.pk for m in mentorships]
    unread = unread_counts(membership=membership)

    # The last time the pair met or wrote, from the activity record: meetings count once
    # they are known to have happened (a call both attended, or logged as held elsewhere),
    # as the nudges and the programme team's health list count them.
    last_in_touch = dict(
        Activity.objects.filter(
            mentorship_id__in=ids,
            kind__in=(Activity.Kind.MEETING_HELD, Activity.Kind.MESSAGE_SENT),
            occurred_at__lte=now,
        )
        .values("mentorship_id")
        .annotate(last=Max("occurred_at"))
        .order_by()
        .values_list("mentorship_id", "last")
    )
    upcoming = list(
        Meeting.objects.filter(
            mentorship_id__in=ids,
            status__in=[Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED],
            starts_at__gte=now - timedelta(hours=4),
        )
        .select_related("mentorship__mentor", "mentorship__mentee")
        .order_by("starts_at")[:20]
    )
    upcoming = [m for m in upcoming if m.starts_at + timedelta(minutes=m.duration_minutes) > now]
    # Which mentorships have a meeting (not cancelled) and which a goal, in one query.
    first_steps = set(
        Meeting.objects.filter(mentorship_id__in=ids)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by()
        .values_list("mentorship_id", Value("meeting", output_field=CharField()))
        .union(
            Goal.objects.filter(mentorship_id__in=ids)
            .order_by()
            .values_list("mentorship_id", Value("goal", output_field=CharField()))
        )
    )
    has_meeting = {pk for pk, step in first_steps if step == "meeting"}
    with_goals = {pk for pk, step in first_steps if step == "goal"}
    goals = list(
        Goal.objects.filter(mentorship_id__in=ids, reached_at__isnull=True)
        .select_related("mentorship")
        .order_by("-updated_at")[:10]
    )

    data = HomeData(
        timezone_name=tz_name,
        unread_total=sum(unread.values()),
        profile_completeness=(profile.completeness or 0) if profile else 0,
    )
    for m in mentorships:
        last = last_in_touch.get(m.pk)
        me = next(p for p in members.people_of(m) if p.user.pk == user.pk)
        role, accepted_by_me = me.role, me.accepted_at
        if m.status == Mentorship.Status.PROPOSED and accepted_by_me is None:
            step, url = "Read and accept your mentoring agreement", "mentorship_detail"
        elif unread.get(m.pk):
            step, url = (
                f"Reply to {unread[m.pk]} unread message{'s' if unread[m.pk] > 1 else ''}",
                "conversation",
            )
        elif m.status == Mentorship.Status.ACTIVE and m.pk not in has_meeting:
            step, url = "Propose your first meeting", "meeting_propose"
        elif m.status == Mentorship.Status.ACTIVE and m.pk not in with_goals:
            step, url = "Set a first goal together", "mentorship_detail"
        else:
            step, url = "", ""
        data.mentorships.append(
            HomeMentorship(
                mentorship=m,
                partner=members.partner_or_circle(m, user),
                role=role,
                health=mentorship_health(mentorship=m, last_activity=last, now=now),
                unread=unread.get(m.pk, 0),
                next_step=step,
                next_step_url_name=url,
            )
        )
    for meeting in upcoming[:5]:
        data.meetings.append(
            UpcomingMeeting(
                meeting=meeting,
                partner=members.partner_or_circle(meeting.mentorship, user),
                needs_my_answer=meeting.status == Meeting.Status.PROPOSED
                and meeting.proposed_by_id != user.pk,
            )
        )
    data.goals = goals
    return data
