"""Reads of meetings, always scoped to the organisation and to the person's place in it."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.meetings import times
from openmentor.meetings.models import AgendaItem, CalendarFeed, Meeting
from openmentor.mentorships.members import member_q
from openmentor.mentorships.models import Mentorship
from openmentor.organisations.models import Membership, Organisation
from openmentor.people.models import Profile

OPEN = (Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED)
SUGGESTION_DAYS = 14


def is_member(*, mentorship: Mentorship, user: User) -> bool:
    return user.pk in mentorship.member_ids()


def mentorship_for_viewer(*, membership: Membership, mentorship_id: int) -> Mentorship:
    """The mentorship if the person is one of its two members or manages the organisation.

    Meetings are not private, so managers may read them (never change them). Another
    organisation's or another pair's mentorship answers 404, like a missing one.
    # TODO: switch to mentorships.selectors.mentorship_for_member once it exists.
    """
    found = (
        Mentorship.objects.select_related("mentor", "mentee", "programme")
        .filter(pk=mentorship_id, programme__organisation_id=membership.organisation_id)
        .first()
    )
    if found is None:
        raise Http404("No such mentorship")
    if not membership.is_manager and not is_member(mentorship=found, user=membership.user):
        raise Http404("No such mentorship")
    return found


def mentorship_meetings(*, mentorship: Mentorship) -> QuerySet[Meeting]:
    return Meeting.objects.filter(mentorship=mentorship).select_related("proposed_by", "series")


def meeting_in_mentorship(*, mentorship: Mentorship, meeting_id: int) -> Meeting:
    meeting = mentorship_meetings(mentorship=mentorship).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such meeting")
    meeting.mentorship = mentorship  # already loaded and checked
    return meeting


def agenda_items(*, meeting: Meeting) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(meeting=meeting).select_related("added_by")


def agenda_item(*, meeting: Meeting, item_id: int) -> AgendaItem:
    item = agenda_items(meeting=meeting).filter(pk=item_id).first()
    if item is None:
        raise Http404("No such agenda item")
    return item


def open_meetings_of(*, user_ids: list[int]) -> QuerySet[Meeting]:
    """Proposed and accepted meetings of these people in any mentorship: a person has one
    diary, whichever organisation a meeting belongs to."""
    return Meeting.objects.filter(member_q(user_ids, "mentorship__"), status__in=OPEN)


def busy_intervals(
    *, user_ids: list[int], start: dt.datetime, end: dt.datetime, exclude_id: int | None = None
) -> list[times.Interval]:
    # A meeting lasts at most 4 hours, so one starting 4 hours before `start` may overlap.
    rows = open_meetings_of(user_ids=user_ids).filter(
        starts_at__lt=end, starts_at__gt=start - dt.timedelta(minutes=240)
    )
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return [
        (s, s + dt.timedelta(minutes=d))
        for s, d in rows.values_list("starts_at", "duration_minutes")
    ]


def profile_timezones(*, organisation_id: int, user_ids: list[int]) -> dict[int, str]:
    rows = Profile.objects.filter(organisation_id=organisation_id, user_id__in=user_ids)
    found = dict(rows.values_list("user_id", "timezone"))
    return {uid: found.get(uid) or "UTC" for uid in user_ids}


def common_free_starts(
    *,
    mentorship: Mentorship,
    viewer_tz: str,
    duration_minutes: int,
    now: dt.datetime | None = None,
    exclude_meeting_id: int | None = None,
) -> list[dt.datetime]:
    """Starts in the next two weeks when both members are available (from their weekly
    availability, each in their own timezone) and neither has another meeting."""
    now = now or timezone.now()
    # From the next whole minute an hour ahead: nobody wants an invitation for "now".
    start = (now + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    end = start + dt.timedelta(days=SUGGESTION_DAYS)
    profiles = {
        p.user_id: p
        for p in Profile.objects.filter(
            organisation_id=mentorship.programme.organisation_id,
            user_id__in=mentorship.member_ids(),
        )
    }
    free: list[times.Interval] | None = None
    for user_id in mentorship.member_ids():
        profile = profiles.get(user_id)
        if profile is None:
            return []
        mine = times.availability_intervals(profile.availability, profile.timezone, start, end)
        free = mine if free is None else times.intersect(free, mine)
    busy = busy_intervals(
        user_ids=list(mentorship.member_ids()),
        start=start,
        end=end,
        exclude_id=exclude_meeting_id,
    )
    return times.candidate_starts(
        times.subtract(free or [], busy),
        duration=dt.timedelta(minutes=duration_minutes),
        viewer_tz=viewer_tz,
    )


def upcoming_feed_meetings(
    *, user: User, organisation: Organisation, now: dt.datetime | None = None
) -> QuerySet[Meeting]:
    """What a calendar subscription shows: the person's open meetings in the organisation
    from a week ago on (so a meeting just held does not vanish at once)."""
    now = now or timezone.now()
    return (
        open_meetings_of(user_ids=[user.pk])
        .filter(
            mentorship__programme__organisation=organisation,
            starts_at__gte=now - dt.timedelta(days=7),
        )
        .select_related(
            "mentorship__mentor", "mentorship__mentee", "mentorship__programme__organisation"
        )
        .order_by("starts_at")[:500]
    )


def live_calendar_feed(*, user: User, organisation: Organisation) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(
        user=user, organisation=organisation, revoked_at__isnull=True
    ).first()


def calendar_feed_for_token(*, token: str) -> CalendarFeed:
    import hashlib

    digest = hashlib.sha256(token.encode()).hexdigest()
    feed = (
        CalendarFeed.objects.select_related("user", "organisation")
        # Someone who left the organisation loses the feed with it.
        .filter(
            token_hash=digest,
            revoked_at__isnull=True,
            organisation__memberships__user=F("user"),
        )
        .first()
    )
    if feed is None:
        raise Http404("No such calendar")
    return feed
