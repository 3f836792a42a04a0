"""Writing meetings: propose, accept, decline, reschedule, cancel; agendas; calendar feeds.

Every change a calendar must see raises the meeting's SEQUENCE and e-mails BOTH members
(the one who acted too, so their own calendar updates) with an .ics attachment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone

from openmentor.accounts.models import User
from openmentor.core.email import Attachment, email_send
from openmentor.core.events import EventKind, event_record
from openmentor.meetings import calendar, selectors, times
from openmentor.meetings.location import location_clean
from openmentor.meetings.models import (
    MAX_MEETING_MINUTES,
    AgendaItem,
    CalendarFeed,
    Meeting,
    MeetingSeries,
    feed_token,
)
from openmentor.mentorships import members
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.mentorships.models import Mentorship
from openmentor.organisations.models import Organisation

MIN_MEETING_MINUTES = 15


def _require_member(mentorship: Mentorship, user: User) -> None:
    if not selectors.is_member(mentorship=mentorship, user=user):
        raise ValidationError("Only the mentor and the mentee can change their meetings.")


def _require_active(mentorship: Mentorship) -> None:
    if mentorship.status != Mentorship.Status.ACTIVE:
        raise ValidationError(
            "Meetings can be planned only while the mentorship is active "
            f"(it is {mentorship.get_status_display().lower()})."
        )


def local_label(when: dt.datetime, tz_name: str) -> str:
    """'Tuesday 4 March 2025, 09:00 (Europe/London)' in the person's own timezone."""
    local = when.astimezone(times.zone(tz_name))
    return f"{formats.date_format(local, 'l j F Y, H:i')} ({times.zone(tz_name).key})"


def _check_time(
    *,
    mentorship: Mentorship,
    starts_at: dt.datetime,
    duration_minutes: int,
    now: dt.datetime,
    exclude_id: int | None = None,
    field: str = "starts_at",
) -> None:
    # Lock both members' rows for the rest of the transaction, so two proposals made at
    # the same instant (in two of a person's mentorships) cannot both pass the overlap
    # check; on SQLite writes are serialised anyway.
    people = members.people_of(mentorship)
    list(
        User.objects.select_for_update()
        .filter(pk__in=[p.user.pk for p in people])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    errors: dict[str, list[str]] = {}
    if duration_minutes > MAX_MEETING_MINUTES:
        errors["duration_minutes"] = ["A meeting can last at most 4 hours (240 minutes)."]
    elif duration_minutes < MIN_MEETING_MINUTES:
        errors["duration_minutes"] = [f"A meeting lasts at least {MIN_MEETING_MINUTES} minutes."]
    if starts_at <= now:
        errors[field] = ["This time has already passed. Choose a time in the future."]
    if errors:
        raise ValidationError(errors)
    ends_at = starts_at + dt.timedelta(minutes=duration_minutes)
    for user_id, whose in ((p.user.pk, p.user.name) for p in people):
        busy = selectors.busy_intervals(
            user_ids=[user_id], start=starts_at, end=ends_at, exclude_id=exclude_id
        )
        if any(b0 < ends_at and b1 > starts_at for b0, b1 in busy):
            # Says whose diary is full but nothing about the other meeting itself.
            raise ValidationError(
                {field: [f"This overlaps another meeting {whose} already has at that time."]}
            )


def _send(meetings: Sequence[Meeting], *, kind: str, actor: User) -> None:
    """E-mails both members, each with times in their own timezone and one .ics per
    meeting (an iTIP message carries one UID, so a series sends one file per meeting)."""
    first = meetings[0]
    mentorship = first.mentorship
    organisation = mentorship.programme.organisation
    zones = selectors.profile_timezones(
        organisation_id=organisation.pk, user_ids=list(mentorship.member_ids())
    )
    attachments = []
    for index, meeting in enumerate(meetings, start=1):
        content, method = calendar.meeting_invitation(meeting)
        name = "invite.ics" if len(meetings) == 1 else f"invite-{index}.ics"
        attachments.append(
            Attachment(filename=name, content=content, mimetype=f"text/calendar; method={method}")
        )
    subjects = {
        "proposed": "Meeting proposed",
        "accepted": "Meeting confirmed",
        "declined": "Meeting declined",
        "rescheduled": "Meeting moved",
        "cancelled": "Meeting cancelled",
        "place_changed": "Meeting place changed",
    }
    for person in (p.user for p in members.people_of(mentorship)):
        partner = _partner_in_mail(mentorship, person, actor)
        tz_name = zones[person.pk]
        email_send(
            to=[person.email],
            subject=f"{subjects[kind]}: mentoring with {partner.name}",
            template=f"meetings/email/{kind}",
            context={
                "person": person,
                "partner": partner,
                "actor_is_you": person.pk == actor.pk,
                "actor": actor,
                "organisation": organisation,
                "meetings": [
                    {
                        "when": local_label(m.starts_at, tz_name),
                        "minutes": m.duration_minutes,
                        "where": m.location,
                        "url": calendar.meeting_url(m),
                    }
                    for m in meetings
                ],
            },
            attachments=attachments,
        )


def _partner_in_mail(mentorship: Mentorship, person: User, actor: User) -> User | members.Named:
    """Who "your partner" is in a meeting e-mail: the other person of a pair; in a circle,
    whoever acted when it was someone else, else the circle itself."""
    if mentorship.is_circle and actor.pk != person.pk:
        return actor
    return members.partner_or_circle(mentorship, person)


def _record(meeting: Meeting, kind: str, actor: User) -> None:
    event_record(
        organisation=meeting.mentorship.programme.organisation,
        kind=EventKind(f"meeting_{kind}"),
        actor=actor,
        data={"meeting": meeting.pk, "mentorship": meeting.mentorship_id},
    )


@transaction.atomic
def meeting_propose(
    *,
    mentorship: Mentorship,
    proposer: User,
    starts_at: dt.datetime,
    duration_minutes: int,
    every_weeks: int | None = None,
    count: int | None = None,
    local_tz: str = "UTC",
    location: str = "",
    now: dt.datetime | None = None,
) -> list[Meeting]:
    """Proposes one meeting, or `count` meetings every `every_weeks` weeks at the same
    local time in `local_tz`, all at `location` (a video link or a place); refuses past,
    over-long and overlapping times and links that are not http(s)."""
    now = now or timezone.now()
    _require_member(mentorship, proposer)
    _require_active(mentorship)
    location = location_clean(location)
    if (every_weeks is None) != (count is None):
        raise ValidationError(
            {"repeat_count": ["Give both how often and how many times, or neither."]}
        )
    starts = [starts_at]
    if every_weeks and count:
        starts = [
            times.shift_local_weeks(starts_at, every_weeks * i, local_tz) for i in range(count)
        ]
    _check_time(
        mentorship=mentorship, starts_at=starts_at, duration_minutes=duration_minutes, now=now
    )
    for later in starts[1:]:
        try:
            _check_time(
                mentorship=mentorship,
                starts_at=later,
                duration_minutes=duration_minutes,
                now=now,
            )
        except ValidationError:
            raise ValidationError(
                {
                    "repeat_count": [
                        f"The meeting on {local_label(later, local_tz)} overlaps another "
                        "meeting; choose fewer repeats or another time."
                    ]
                }
            ) from None
    series = None
    if len(starts) > 1:
        series = MeetingSeries.objects.create(
            mentorship=mentorship,
            every_weeks=every_weeks or 1,
            count=len(starts),
            created_by=proposer,
        )
    meetings = [
        Meeting.objects.create(
            mentorship=mentorship,
            starts_at=start,
            duration_minutes=duration_minutes,
            location=location,
            proposed_by=proposer,
            series=series,
        )
        for start in starts
    ]
    for meeting in meetings:
        meeting.mentorship = mentorship
    _record(meetings[0], "proposed", proposer)
    _send(meetings, kind="proposed", actor=proposer)
    return meetings


def _locked(meeting: Meeting) -> Meeting:
    fresh = Meeting.objects.select_for_update().get(pk=meeting.pk)
    fresh.mentorship = meeting.mentorship
    return fresh


def _siblings_to_answer(meeting: Meeting, now: dt.datetime) -> list[Meeting]:
    """A series is answered as a whole: its still-proposed future meetings, same proposer."""
    if meeting.series_id is None:
        return [meeting]
    rows = list(
        Meeting.objects.select_for_update()
        .filter(
            series_id=meeting.series_id,
            status=Meeting.Status.PROPOSED,
            proposed_by_id=meeting.proposed_by_id,
            starts_at__gt=now,
        )
        .order_by("starts_at")
    )
    for row in rows:
        row.mentorship = meeting.mentorship
    return rows or [meeting]


def _answer(meeting: Meeting, *, actor: User, status: str, kind: str) -> list[Meeting]:
    now = timezone.now()
    _require_member(meeting.mentorship, actor)
    meeting = _locked(meeting)
    _require_active(meeting.mentorship)
    if meeting.status != Meeting.Status.PROPOSED:
        raise ValidationError(f"This meeting is {meeting.get_status_display().lower()} already.")
    if meeting.proposed_by_id == actor.pk:
        raise ValidationError("You proposed this time; your mentoring partner answers it.")
    if meeting.starts_at <= now:
        raise ValidationError("This meeting's time has passed. Propose a new one.")
    answered = _siblings_to_answer(meeting, now)
    for row in answered:
        row.status = status
        row.sequence += 1
        row.save(update_fields=["status", "sequence", "updated_at"])
    _record(answered[0], kind, actor)
    if status == Meeting.Status.ACCEPTED:
        for row in answered:
            activity_record(
                mentorship=row.mentorship,
                kind=ActivityKind.MEETING_SCHEDULED,
                key=f"scheduled:{row.pk}",
                actor=actor,
                at=now,
                data={"meeting": row.pk, "starts_at": row.starts_at.isoformat()},
            )
    _send(answered, kind=kind, actor=actor)
    return answered


@transaction.atomic
def meeting_accept(*, meeting: Meeting, actor: User) -> list[Meeting]:
    """The partner accepts the proposed time (a whole series at once)."""
    return _answer(meeting, actor=actor, status=Meeting.Status.ACCEPTED, kind="accepted")


@transaction.atomic
def meeting_decline(*, meeting: Meeting, actor: User) -> list[Meeting]:
    """The partner declines the proposed time; calendars get a cancellation."""
    return _answer(meeting, actor=actor, status=Meeting.Status.DECLINED, kind="declined")


@transaction.atomic
def meeting_reschedule(
    *,
    meeting: Meeting,
    actor: User,
    starts_at: dt.datetime,
    duration_minutes: int,
    location: str | None = None,
    now: dt.datetime | None = None,
) -> Meeting:
    """Moves an open meeting (or answers a proposal with another time), and/or changes
    where it happens (`location`; None keeps it). A new time asks the partner to accept
    again; a new place alone keeps the meeting's answer. Either way both calendars update."""
    now = now or timezone.now()
    _require_member(meeting.mentorship, actor)
    _require_active(meeting.mentorship)
    meeting = _locked(meeting)
    if not meeting.is_open:
        raise ValidationError(f"This meeting is {meeting.get_status_display().lower()}.")
    new_location = meeting.location if location is None else location_clean(location)
    time_changed = starts_at != meeting.starts_at or duration_minutes != meeting.duration_minutes
    if not time_changed and new_location == meeting.location:
        raise ValidationError(
            {"starts_at": ["This is already the meeting's time and place. Change one of them."]}
        )
    _check_time(
        mentorship=meeting.mentorship,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        now=now,
        exclude_id=meeting.pk,
    )
    meeting.location = new_location
    meeting.sequence += 1
    if time_changed:
        meeting.starts_at = starts_at
        meeting.duration_minutes = duration_minutes
        meeting.status = Meeting.Status.PROPOSED
        meeting.proposed_by = actor
    meeting.save()
    kind = "rescheduled" if time_changed else "place_changed"
    _record(meeting, kind, actor)
    _send([meeting], kind=kind, actor=actor)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User) -> Meeting:
    """Either member cancels one meeting; both calendars get METHOD:CANCEL."""
    _require_member(meeting.mentorship, actor)
    meeting = _locked(meeting)
    if not meeting.is_open:
        raise ValidationError(f"This meeting is {meeting.get_status_display().lower()} already.")
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.cancelled_by = actor
    meeting.sequence += 1
    meeting.save()
    _record(meeting, "cancelled", actor)
    _send([meeting], kind="cancelled", actor=actor)
    return meeting


@transaction.atomic
def meetings_cancel_for_ended(*, mentorship: Mentorship, actor: User) -> list[Meeting]:
    """When a mentorship ends, its meetings still to come are cancelled: both calendars
    get METHOD:CANCEL (one e-mail each, all meetings attached) and no reminder follows."""
    now = timezone.now()
    meetings = list(
        Meeting.objects.select_for_update()
        .filter(
            mentorship=mentorship,
            status__in=[Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED],
            starts_at__gt=now,
        )
        .order_by("starts_at")
    )
    for meeting in meetings:
        meeting.status = Meeting.Status.CANCELLED
        meeting.cancelled_at = now
        meeting.cancelled_by = actor
        meeting.sequence += 1
        meeting.save()
        _record(meeting, "cancelled", actor)
    if meetings:
        _send(meetings, kind="cancelled", actor=actor)
    return meetings


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, actor: User, text: str) -> AgendaItem:
    """Adds a topic to the shared agenda of an open meeting."""
    _require_member(meeting.mentorship, actor)
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": ["Write the topic you want to talk about."]})
    if len(text) > 300:
        raise ValidationError({"text": ["Keep a topic under 300 characters."]})
    if not meeting.is_open:
        raise ValidationError(
            {"text": ["This meeting is no longer planned, so its agenda is closed."]}
        )
    return AgendaItem.objects.create(meeting=meeting, text=text, added_by=actor)


@transaction.atomic
def agenda_item_toggle(*, item: AgendaItem, actor: User) -> AgendaItem:
    """Ticks a topic as covered, or unticks it."""
    _require_member(item.meeting.mentorship, actor)
    item.done = not item.done
    item.save(update_fields=["done"])
    return item


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, user: User, organisation: Organisation) -> tuple[CalendarFeed, str]:
    """A new secret feed address ("reset link"); any earlier one stops working. The
    database keeps the secret's hash and a seed that only SECRET_KEY turns back into it."""
    CalendarFeed.objects.filter(
        user=user, organisation=organisation, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    seed = secrets.token_urlsafe(32)
    token = feed_token(seed)
    feed = CalendarFeed.objects.create(
        user=user, organisation=organisation, token_hash=_token_hash(token), seed=seed
    )
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, user: User, organisation: Organisation) -> int:
    """Stops the person's feed address from working; returns how many were live."""
    return CalendarFeed.objects.filter(
        user=user, organisation=organisation, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
