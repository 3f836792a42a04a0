"""Builds the activity record from the tables that existed before it: run by the
migration that introduced it (with historical models) and by the demo seed (which writes
its history directly into those tables).

Each row's key is the one the live code uses, so running it twice, or after the live
code recorded some of the same happenings, records nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

HELD_SECONDS = 5 * 60
BATCH = 2000


def _merged_seconds(spans: list[tuple[dt.datetime, dt.datetime]]) -> float:
    total = 0.0
    current: tuple[dt.datetime, dt.datetime] | None = None
    for start, end in sorted(spans):
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return total


def activity_backfill(get_model: Callable[[str, str], Any], *, now: dt.datetime) -> int:
    """Records every past happening the old tables show; returns how many rows it wrote."""
    Activity = get_model("mentorships", "Activity")
    Mentorship = get_model("mentorships", "Mentorship")
    Meeting = get_model("meetings", "Meeting")
    ExternalMeeting = get_model("mentorships", "ExternalMeeting")
    Goal = get_model("mentorships", "Goal")
    Message = get_model("messaging", "Message")
    Rating = get_model("feedback", "MentorshipRating")
    Presence = get_model("video", "Presence")

    programme_of = dict(Mentorship.objects.values_list("pk", "programme_id"))
    members = {
        pk: (mentor, mentee)
        for pk, mentor, mentee in Mentorship.objects.values_list("pk", "mentor_id", "mentee_id")
    }

    def rows() -> Iterator[Any]:
        for m in Mentorship.objects.all().iterator():
            yield m.pk, "matched", f"matched:{m.pk}", m.created_by_id, m.created_at, {}
            if m.started_at:
                yield m.pk, "started", f"started:{m.pk}", None, m.started_at, {}
            if m.ended_at:
                yield (
                    m.pk,
                    "ended",
                    f"ended:{m.pk}",
                    m.ended_by_id,
                    m.ended_at,
                    {"reason": m.end_reason},
                )
        # Attendance of each meeting's call: who had media for how long.
        spans: dict[tuple[int, int], list[tuple[dt.datetime, dt.datetime]]] = {}
        for p in Presence.objects.filter(
            room__meeting__isnull=False, media_since__isnull=False
        ).values("room__meeting_id", "user_id", "media_since", "confirmed_until", "left_at"):
            end = p["confirmed_until"]
            if p["left_at"] is not None and end is not None:
                end = min(end, p["left_at"])
            if end is not None and end > p["media_since"]:
                spans.setdefault((p["room__meeting_id"], p["user_id"]), []).append(
                    (p["media_since"], end)
                )
        attended = {key: _merged_seconds(value) for key, value in spans.items()}
        opened = {meeting_id for meeting_id, _ in spans}
        for meeting in Meeting.objects.filter(status="accepted").iterator():
            yield (
                meeting.mentorship_id,
                "meeting_scheduled",
                f"scheduled:{meeting.pk}",
                None,
                meeting.created_at,
                {"meeting": meeting.pk},
            )
            ends = meeting.starts_at + dt.timedelta(minutes=meeting.duration_minutes)
            if ends > now:
                continue
            pair = members[meeting.mentorship_id]
            if meeting.pk in opened:
                held = all(attended.get((meeting.pk, uid), 0) >= HELD_SECONDS for uid in pair)
                kind, source = ("meeting_held" if held else "meeting_missed"), "call"
            else:
                # Before calls were built in, an accepted meeting whose time had passed was
                # how the product counted a meeting as held.
                kind, source = "meeting_held", "accepted"
            yield (
                meeting.mentorship_id,
                kind,
                f"outcome:meeting:{meeting.pk}",
                None,
                meeting.starts_at,
                {"meeting": meeting.pk, "source": source},
            )
        for e in ExternalMeeting.objects.all().iterator():
            yield (
                e.mentorship_id,
                "meeting_held",
                f"held:external:{e.pk}",
                e.logged_by_id,
                dt.datetime.combine(e.held_on, dt.time(12), tzinfo=dt.UTC),
                {"source": "logged", "external": e.pk, "minutes": e.duration_minutes},
            )
        for g in Goal.objects.filter(reached_at__isnull=False).iterator():
            yield g.mentorship_id, "goal_reached", f"goal:{g.pk}", None, g.reached_at, {}
        for pk, mentorship_id, author_id, at in Message.objects.values_list(
            "pk", "mentorship_id", "author_id", "created_at"
        ).iterator():
            yield mentorship_id, "message_sent", f"message:{pk}", author_id, at, {}
        for r in Rating.objects.all().iterator():
            yield (
                r.mentorship_id,
                "feedback_given",
                f"rating:{r.pk}",
                r.author_id,
                r.created_at,
                {"moment": r.moment},
            )

    written = 0
    batch: list[Any] = []
    for mentorship_id, kind, key, actor_id, at, data in rows():
        batch.append(
            Activity(
                programme_id=programme_of[mentorship_id],
                mentorship_id=mentorship_id,
                kind=kind,
                key=key,
                actor_id=actor_id,
                occurred_at=at,
                data=data,
            )
        )
        if len(batch) >= BATCH:
            written += len(Activity.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        written += len(Activity.objects.bulk_create(batch, ignore_conflicts=True))
    return written
