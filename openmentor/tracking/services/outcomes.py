"""When a meeting ends: did it happen (from the call's attendance), then the questions
that follow it (feedback after each meeting, the pairing fit after the first), and the
pulse surveys on their days."""

from __future__ import annotations

import datetime as dt

from openmentor.feedback.models import Checkin, MeetingFeedback
from openmentor.feedback.surveys.services import (
    checkin_open,
    meeting_feedback_request,
    pairing_fit_open_if_due,
)
from openmentor.meetings.models import CALL_ROOM_STAYS_MINUTES, Meeting
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.mentorships.models import Activity, Mentorship
from openmentor.tracking.models import TrackingSettings
from openmentor.video.selectors import meeting_attendance

# A meeting's outcome is settled once its call room has closed; meetings that ended
# longer ago than this are left alone (the product was not running, say).
LOOK_BACK = dt.timedelta(days=7)


def meetings_settle(*, now: dt.datetime) -> int:
    """Settles every accepted meeting whose room has closed and that nobody has settled:
    held (both attended five minutes) or missed from the call's attendance, or, for a
    meeting with a link or place of its own, a "did it happen?" in its feedback."""
    after_room = dt.timedelta(minutes=CALL_ROOM_STAYS_MINUTES)
    candidates = [
        m
        for m in Meeting.objects.filter(
            status=Meeting.Status.ACCEPTED,
            starts_at__gte=now - LOOK_BACK - dt.timedelta(hours=4),
            starts_at__lte=now,
        ).select_related(
            "mentorship__programme__organisation", "mentorship__mentor", "mentorship__mentee"
        )
        if m.ends_at + after_room <= now
    ]
    if not candidates:
        return 0
    settled = set(
        Activity.objects.filter(
            key__in=[f"outcome:meeting:{m.pk}" for m in candidates]
        ).values_list("key", flat=True)
    )
    asked = set(
        MeetingFeedback.objects.filter(meeting__in=candidates).values_list("meeting_id", flat=True)
    )
    done = 0
    for meeting in candidates:
        if f"outcome:meeting:{meeting.pk}" in settled or meeting.pk in asked:
            continue
        attendance = meeting_attendance(meeting=meeting)
        mentorship = meeting.mentorship
        if attendance is not None and attendance.held:
            activity_record(
                mentorship=mentorship,
                kind=ActivityKind.MEETING_HELD,
                key=f"outcome:meeting:{meeting.pk}",
                at=meeting.starts_at,
                data={"meeting": meeting.pk, "source": "call"},
            )
            meeting_feedback_request(meeting=meeting, ask_happened=False, now=now)
            pairing_fit_open_if_due(mentorship=mentorship, now=now)
        elif meeting.location:
            # It may have happened where its link or place says: the members tell us.
            meeting_feedback_request(meeting=meeting, ask_happened=True, now=now)
        else:
            activity_record(
                mentorship=mentorship,
                kind=ActivityKind.MEETING_MISSED,
                key=f"outcome:meeting:{meeting.pk}",
                at=meeting.starts_at,
                data={"meeting": meeting.pk, "source": "call"},
            )
        done += 1
    return done


def pulses_open(*, now: dt.datetime) -> int:
    """Opens each active mentorship's pulse survey on its days (day 30, then every 60, or
    the programme's own rhythm), once per period."""
    mentorships = list(
        Mentorship.objects.filter(
            status=Mentorship.Status.ACTIVE, started_at__isnull=False
        ).select_related(
            "programme__tracking_settings", "programme__organisation", "mentor", "mentee"
        )
    )
    opened = set(
        Checkin.objects.filter(
            survey=Checkin.Survey.PULSE, mentorship__status=Mentorship.Status.ACTIVE
        ).values_list("mentorship_id", "period")
    )
    count = 0
    for m in mentorships:
        rules = getattr(m.programme, "tracking_settings", None) or TrackingSettings()
        assert m.started_at is not None
        day = (now - m.started_at).days
        if day < rules.pulse_first_day:
            continue
        period = (day - rules.pulse_first_day) // rules.pulse_every_days
        if (m.pk, period) in opened:
            continue
        checkin_open(mentorship=m, survey=Checkin.Survey.PULSE, period=period, now=now)
        count += 1
    return count


def pairing_fits_open(*, now: dt.datetime) -> int:
    """The pairing fit for pairs whose first meeting was held some other way than a settled
    call (logged as held elsewhere, say): mentorships with a meeting held in the last week
    and no pairing fit yet; returns how many were looked at. Two queries, then a few per
    mentorship looked at."""
    recent = set(
        Activity.objects.filter(
            kind=ActivityKind.MEETING_HELD,
            occurred_at__gte=now - LOOK_BACK,
            mentorship__status=Mentorship.Status.ACTIVE,
        ).values_list("mentorship_id", flat=True)
    )
    asked = set(
        Checkin.objects.filter(
            mentorship_id__in=recent, survey=Checkin.Survey.PAIRING_FIT
        ).values_list("mentorship_id", flat=True)
    )
    opened = 0
    for mentorship in Mentorship.objects.filter(pk__in=recent - asked).select_related(
        "programme__organisation", "mentor", "mentee"
    ):
        pairing_fit_open_if_due(mentorship=mentorship, now=now)
        opened += 1
    return opened
